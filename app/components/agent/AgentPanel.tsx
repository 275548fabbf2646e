'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SessionEvent } from '../../../server/realtime/protocol.ts';
import { getSocket } from '../../lib/socket.ts';
import { pendingApprovalIds } from '../approvals/pending.ts';
import { useTRPC } from '../../lib/trpc.ts';
import { useMemoryItems } from '../memory/useMemoryItems.ts';
import { foldDelta, replyRecorded, type LiveReply } from './live-reply.ts';
import { Markdown } from './Markdown.tsx';
import { PromptInspector, type RefNames } from './PromptInspector.tsx';
import { ToolCardView } from './ToolCardView.tsx';
import { runEndText, transcript } from './transcript.ts';

const money = (usd: number) => (usd === 0 ? '$0' : usd < 0.01 ? '<$0.01' : `$${usd.toFixed(2)}`);

/** The agent: a transcript folded from the session's events, live text, and the message box. */
export function AgentPanel({ sessionId, events, disabled: sessionDisabled }: { sessionId: string; events: SessionEvent[]; disabled: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const configured = useQuery(trpc.models.configured.queryOptions());
  // Nothing could answer a message until a model route exists.
  const noModel = configured.data && !configured.data.configured;
  const disabled = sessionDisabled ?? (noModel ? 'No model is configured yet.' : null);
  const statusKey = trpc.agent.status.queryKey({ sessionId });
  const status = useQuery(trpc.agent.status.queryOptions({ sessionId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: statusKey });
  const send = useMutation(trpc.agent.send.mutationOptions({ onSuccess: refresh }));
  const stop = useMutation(trpc.agent.stop.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.agent.resume.mutationOptions({ onSuccess: refresh }));
  const rewind = useMutation(trpc.agent.rewind.mutationOptions({ onSuccess: refresh }));
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  // The choice applies from the next message on; a run already going keeps its own profile.
  const [profile, setProfile] = useState('build');
  const [draft, setDraft] = useState('');
  const [live, setLive] = useState<LiveReply | null>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const items = useMemo(() => transcript(events), [events]);
  // The prompt inspector names memory items and turns by their text.
  const memory = useMemoryItems(sessionId, events);
  const names = useMemo((): RefNames => {
    const memoryText = new Map((memory.data ?? []).map((m) => [m.id, m.text]));
    const runText = new Map(items.flatMap((i) => (i.kind === 'user' ? [[i.runId, i.text] as const] : [])));
    return { memory: (id) => memoryText.get(id), run: (id) => runText.get(id) };
  }, [memory.data, items]);
  const lastAgentSeq = events.filter((e) => e.type.startsWith('agent.')).at(-1)?.seq;
  // Run lifecycle and usage change with agent events: refresh the status line.
  useEffect(() => { if (lastAgentSeq) void queryClient.invalidateQueries({ queryKey: statusKey }); }, [lastAgentSeq, queryClient, statusKey]);

  useEffect(() => {
    const socket = getSocket();
    const onDelta = (d: { sessionId: string; runId: string; step: number; text: string }) => {
      if (d.sessionId !== sessionId) return;
      setLive((cur) => foldDelta(cur, d));
    };
    socket.on('agent:delta', onDelta);
    return () => { socket.off('agent:delta', onDelta); };
  }, [sessionId]);

  // The folded message replaces the live text once it is recorded.
  const folded = live && replyRecorded(live, events);
  useEffect(() => { if (folded) setLive(null); }, [folded]);
  useEffect(() => { bottom.current?.scrollIntoView({ block: 'nearest' }); }, [items.length, live?.text]);

  const active = status.data?.active ?? null;
  const running = !!active;
  const waiting = pendingApprovalIds(events).length > 0;
  const submit = () => {
    const text = draft.trim();
    if (!text) return;
    send.mutate({ sessionId, text, profile }, { onSuccess: () => setDraft('') });
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  };
  const error = send.error ?? stop.error ?? resume.error ?? rewind.error;
  const runTotals = status.data ? [active, ...status.data.recent].filter(Boolean)[0] : null;

  return (
    <section className="panel agent-panel" aria-label="Agent">
      <div className="panel-head">
        <span className="muted small-text">{waiting ? 'Waiting for approval' : running ? 'Working' : status.data?.queued.length ? `${status.data.queued.length} queued` : 'Idle'}</span>
        <div className="spacer" />
        {runTotals && (
          <span className="muted small-text" title="Route, tokens and estimated cost of the latest run">
            {runTotals.route ?? '—'} · {runTotals.inputTokens + runTotals.outputTokens} tok · {money(runTotals.costUsd)}
          </span>
        )}
        {running && <button type="button" className="ghost small danger" onClick={() => stop.mutate({ sessionId })} disabled={stop.isPending}>Stop</button>}
      </div>
      {noModel && (
        <div role="status" className="banner warn agent-howto">
          <strong>No model is configured.</strong>
          {/* Admins get the how-to, members one line: models.configured decides which. */}
          <pre>{configured.data.howTo}</pre>
        </div>
      )}
      <div className="agent-log" aria-live="polite">
        {items.map((item) => {
          switch (item.kind) {
            case 'user':
              return <div key={item.seq} className="msg user"><Markdown text={item.text} />{item.queued && <span className="badge provisioning">queued</span>}</div>;
            case 'assistant':
              return <div key={item.seq} className="msg assistant"><Markdown text={item.text} /></div>;
            case 'tool':
              return <ToolCardView key={item.seq} card={item.card} canRewind={!running && !disabled} onRewind={(checkpointId) => {
                if (window.confirm('Restore the workspace files to how they were before this step? Later changes are replaced.')) rewind.mutate({ sessionId, checkpointId });
              }} />;
            case 'run-end':
              return item.outcome === 'completed' ? null : (
                <p key={item.seq} role={item.outcome === 'error' || item.outcome === 'quota' || item.outcome === 'budget' ? 'alert' : undefined} className={`run-end ${item.outcome}`}>
                  {runEndText(item)}
                </p>
              );
            case 'prompt':
              return <PromptInspector key={item.seq} payload={item.payload} names={names} />;
            case 'notice':
              return (
                <p key={item.seq} className="run-end">
                  {item.text}
                  {item.resumable && item.runId && <button type="button" className="ghost small" disabled={running || !!disabled} onClick={() => resume.mutate({ sessionId, runId: item.runId! })}>Resume</button>}
                </p>
              );
          }
        })}
        {live && !folded && <div className="msg assistant streaming"><Markdown text={live.text} /></div>}
        {running && !live && <p className="muted small-text">{waiting ? 'Waiting for approval…' : 'Working…'}</p>}
        <div ref={bottom} />
      </div>
      {error && <p role="alert" className="banner error">{error.message}</p>}
      <form className="agent-input" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <textarea aria-label="Message the agent" placeholder={disabled ?? (running ? 'The agent is working; your message will be queued' : 'Ask the agent… (Enter to send, Shift+Enter for a new line)')}
          value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} disabled={!!disabled} rows={3} />
        <select aria-label="Task profile" value={profile} onChange={(e) => setProfile(e.target.value)} disabled={!!disabled}
          title={profiles.data?.find((p) => p.name === profile)?.description}>
          {(profiles.data ?? [{ name: 'build', description: '' }]).map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
        </select>
        <button type="submit" className="primary small" disabled={!!disabled || !draft.trim() || send.isPending}>{running ? 'Queue' : 'Send'}</button>
      </form>
    </section>
  );
}
