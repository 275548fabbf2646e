'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { TerminalInfo } from '../../../server/realtime/protocol.ts';
import { useTRPC } from '../../lib/trpc.ts';
import { checkpointFor, checkpointSeqs, liveChanges } from './position.ts';
import { commentsByEvent, QUIET_KINDS, toEntry, type TimelineEntry } from './timeline.ts';
import { useShareStream } from './useShareStream.ts';
import { CommentForm, ViewerTimeline, type CommentTarget } from './ViewerTimeline.tsx';
import { ViewerFiles } from './ViewerFiles.tsx';
import './share.css';

// xterm touches `window` when it loads.
const ViewerTerminal = dynamic(() => import('./ViewerTerminal.tsx').then((m) => m.ViewerTerminal), { ssr: false });

/**
 * A shared session, read-only: the timeline of everything, the files as of any point (the
 * scrubber), terminal output, live while the session runs. Nothing here can write but a
 * comment, and only with a comment link.
 */
export function ShareViewer({ token }: { token: string }) {
  const trpc = useTRPC();
  const summary = useQuery({ ...trpc.viewer.session.queryOptions({ token }), retry: false, refetchOnWindowFocus: false });
  const { events, connection, socket, live } = useShareStream(token);
  const lastSeq = events.at(-1)?.seq ?? 0;
  // null: follow the newest event (live); a number: the reviewer moved the scrubber there.
  const [pinned, setPinned] = useState<number | null>(null);
  const position = pinned ?? lastSeq;
  // The timeline (up to 200 rows around the position) follows the scrubber in a render React may
  // interrupt; the files' reads start at once and their answer is drawn as soon as it comes.
  const timelinePosition = useDeferredValue(position);

  const people = useMemo(() => summary.data?.people ?? {}, [summary.data]);
  // Entries are made once per event (a backlog arrives in many batches), again only when the names do.
  const made = useRef<{ people: Record<string, string>; bySeq: Map<number, TimelineEntry> }>({ people, bySeq: new Map() });
  const entries = useMemo(() => {
    if (made.current.people !== people) made.current = { people, bySeq: new Map() };
    const cache = made.current.bySeq;
    const out: TimelineEntry[] = [];
    for (const e of events) {
      if (QUIET_KINDS.has(e.type)) continue;
      let entry = cache.get(e.seq);
      if (!entry) { entry = toEntry(e, people); cache.set(e.seq, entry); }
      out.push(entry);
    }
    return out;
  }, [events, people]);
  const comments = useMemo(() => commentsByEvent(events), [events]);
  const checkpoints = useMemo(() => checkpointSeqs(events), [events]);
  const checkpoint = checkpointFor(checkpoints, position);
  const refresh = checkpoint === null ? liveChanges(events, checkpoints.at(-1) ?? 0) : 0;

  const [terminals, setTerminals] = useState<TerminalInfo[]>([]);
  const terminalEvents = events.filter((e) => e.type === 'terminal.opened' || e.type === 'terminal.closed').length;
  useEffect(() => {
    if (!socket) return;
    const list = () => socket.emit('share:terminals', (r) => { if (r.ok) setTerminals(r.terminals); });
    socket.on('connect', list);
    if (socket.connected) list();
    return () => { socket.off('connect', list); };
  }, [socket, terminalEvents]);

  const [target, setTarget] = useState<CommentTarget | null>(null);
  const comment = useMutation(trpc.viewer.comment.mutationOptions());
  const commentForm = useCallback((t: CommentTarget) => (
    <CommentForm target={t} onCancel={() => setTarget(null)}
      onSubmit={async (text, authorName) => { await comment.mutateAsync({ token, eventSeq: t.eventSeq, diffLine: t.diffLine, text, authorName }); }} />
  ), [comment, token]);

  if (summary.error) return <main className="page-pad"><h1>This link cannot be opened</h1><p role="alert" className="form-error">{summary.error.message}</p></main>;
  const ended = typeof connection === 'object' ? connection.ended : null;
  const s = summary.data;
  const canComment = s?.scope === 'comment' && !ended;

  return (
    <div className="ide share-viewer">
      <div className="ide-bar">
        <h1>{s?.title ?? 'Shared session'}</h1>
        {s && <span className={`badge ${s.status}`}>{s.status}</span>}
        {s && <span className="muted small-text">by {s.owner} · {s.scope === 'comment' ? 'you can view and comment' : 'read-only'}</span>}
        <span className={`badge ${connection === 'live' ? 'live' : 'stopped'}`} aria-live="polite">{typeof connection === 'object' ? 'disconnected' : connection}</span>
      </div>
      {ended && <p role="alert" className="banner error">{ended}</p>}
      <div className="share-scrubber">
        <label htmlFor="share-position">Timeline position</label>
        <input id="share-position" type="range" min={0} max={lastSeq} step={1} value={position} aria-valuetext={`after event ${position} of ${lastSeq}`}
          onChange={(e) => { const v = Number(e.target.value); setPinned(v >= lastSeq ? null : v); }} />
        <output htmlFor="share-position">#{position} of {lastSeq}</output>
        <button type="button" className="ghost small" disabled={pinned === null} onClick={() => setPinned(null)}>Latest</button>
      </div>
      <div className="share-main">
        <div className="share-left">
          <ViewerFiles token={token} seq={checkpoint ?? lastSeq} refresh={refresh} />
          {socket && terminals.map((t) => <ViewerTerminal key={t.id} socket={socket} terminalId={t.id} title={t.title} />)}
        </div>
        <ViewerTimeline entries={entries} position={timelinePosition} comments={comments} canComment={canComment}
          onSelect={(seq) => setPinned(seq >= lastSeq ? null : seq)} onComment={setTarget} commentTarget={target} commentForm={commentForm}
          live={live && <p className="share-live" role="status" aria-label="The agent is replying">{live.text}</p>} />
      </div>
    </div>
  );
}
