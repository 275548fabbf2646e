'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionEvent } from '../../server/realtime/protocol.ts';
import { getSocket } from '../lib/socket.ts';
import { afterFirstTerminal } from '../lib/terminal-first-paint.ts';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { useSessionEvents, type Connection } from '../lib/useSessionEvents.ts';
import { stopSessionConfirmation } from '../lib/session-confirmations.ts';
import { ApprovalPrompt } from './approvals/ApprovalPrompt.tsx';
import { useConfirm } from './ConfirmDialog.tsx';
import { EventTimeline } from './EventTimeline.tsx';
import type { EditorHandle } from './ide/EditorArea.tsx';
import { ExportEventsButton } from './ExportEventsButton.tsx';
import { MemoryPanel } from './memory/MemoryPanel.tsx';
import { FileTree, useRefreshFiles } from './ide/FileTree.tsx';
import { GitPanel } from './ide/GitPanel.tsx';
import { IdeCommands } from './ide/IdeCommands.tsx';
import { ReleaseCheck } from './ide/ReleaseCheck.tsx';
import { ShareButton } from './share/ShareButton.tsx';
import { StatusBar } from './ide/StatusBar.tsx';
import { MembersButton } from './presence/MembersButton.tsx';
import { PresenceBar } from './presence/PresenceBar.tsx';
import { useOpenByOthers, usePresence } from './presence/usePresence.ts';
import { TerminalPanel } from './ide/TerminalPanel.tsx';
import { IdeLayout, useIdeView } from './layout/IdeLayout.tsx';
import type { SideTab } from './layout/SidePanel.tsx';

// Monaco touches `window` when its module loads, so the editor is never rendered on the server
// (doing so failed every session page with a 500 before the browser could render it). It and the
// agent panel load after the first terminal has drawn, so the shell's prompt does not wait for them.
const EditorArea = dynamic(() => afterFirstTerminal().then(() => import('./ide/EditorArea.tsx')).then((m) => m.EditorArea), {
  ssr: false,
  loading: () => <p className="muted page-pad">Loading the editor…</p>,
});
const AgentPanel = dynamic(() => afterFirstTerminal().then(() => import('./agent/AgentPanel.tsx')).then((m) => m.AgentPanel), {
  ssr: false,
  loading: () => <p className="muted page-pad">Loading the agent…</p>,
});

/** What a viewer of the session is told (the server's refusals say the same). */
const VIEWER_NOTE = 'You are a viewer of this session: you can look, not change anything.';

function ConnectionBadge({ connection }: { connection: Connection }) {
  if (typeof connection === 'object') return <span role="alert" className="badge failed">{connection.error}</span>;
  return <span className={`badge ${connection === 'live' ? 'active' : 'stopped'}`} aria-live="polite">{connection}</span>;
}

/** The newest disk-quota report while it says the workspace is full, for a banner. */
function diskFullMessage(events: SessionEvent[]) {
  const last = events.findLast((e) => e.type === 'workspace.disk');
  const p = last?.payload as { full: boolean; message: string } | undefined;
  return p?.full ? p.message : null;
}

/** The newest provisioning message, for the progress line while a workspace is being made. */
function provisioningLine(events: SessionEvent[]) {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'workspace.ready' || e.type === 'workspace.failed') return null;
    if (e.type === 'workspace.progress' || e.type === 'workspace.provisioning') return (e.payload as { message?: string; detail?: string }).message ?? (e.payload as { detail?: string }).detail ?? 'Preparing the workspace…';
  }
  return null;
}

/** Whether the stream's newest lifecycle news is that the workspace became ready. */
function readyByEvent(events: SessionEvent[]) {
  const last = events.findLast((e) => e.type === 'workspace.ready' || e.type === 'workspace.failed' || e.type === 'workspace.provisioning' || e.type === 'session.stopped');
  return last?.type === 'workspace.ready';
}

/** `title`: the session's title as the server looked it up for the page, shown until the session is read. */
export function SessionView({ sessionId, title, userId, isAdmin }: { sessionId: string; title: string; userId: string; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessionKey = trpc.sessions.get.queryKey({ id: sessionId });
  const session = useQuery(trpc.sessions.get.queryOptions({ id: sessionId }));
  const stop = useMutation(trpc.sessions.stop.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }) }));
  const { ask, dialog } = useConfirm();
  const setNetwork = useMutation(trpc.sessions.setNetwork.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }) }));
  const { events, connection } = useSessionEvents(sessionId);
  const editor = useRef<EditorHandle | null>(null);
  const refreshFiles = useRefreshFiles(sessionId);
  const hydrated = useHydrated();

  // Workspace lifecycle events and membership changes (a role here) change what the page can do:
  // re-read the session. Keyed on the event's seq alone: `sessionKey` is a new array every render,
  // and as a dependency it re-read the session on every render — while typing, each answer
  // re-rendered the page and asked again, four requests per keystroke that delayed its echo.
  const lastLifecycle = events.filter((e) => e.type.startsWith('workspace.') || e.type === 'session.stopped' || e.type.startsWith('session.member.')).at(-1)?.seq;
  useEffect(() => {
    if (lastLifecycle) void queryClient.invalidateQueries({ queryKey: trpc.sessions.get.queryKey({ id: sessionId }) });
  }, [lastLifecycle, queryClient, trpc, sessionId]);

  useEffect(() => {
    const socket = getSocket();
    const onChanged = (e: { sessionId: string; paths: string[] }) => {
      if (e.sessionId !== sessionId) return;
      void refreshFiles();
      editor.current?.changed(e.paths);
    };
    socket.on('files:changed', onChanged);
    return () => { socket.off('files:changed', onChanged); };
  }, [sessionId, refreshFiles]);

  const view = useIdeView('Agent');
  const { show } = view;
  const [terminalCount, setTerminalCount] = useState<number | null>(null);
  const [focusSeq, setFocusSeq] = useState<number | null>(null);
  const showEvent = useCallback((seq: number) => { setFocusSeq(seq); show('Activity'); }, [show]);
  // The editor's code loads after the page; a file opened before it is ready opens once it is.
  const pendingOpen = useRef<string | null>(null);
  const onEditorReady = useCallback((h: EditorHandle) => {
    editor.current = h;
    if (pendingOpen.current) h.open(pendingOpen.current);
    pendingOpen.current = null;
  }, []);
  const [openPath, setOpenPath] = useState<string | null>(null);
  const people = usePresence(sessionId, openPath);
  const openByOthers = useOpenByOthers(people, userId);
  const openFile = useCallback((p: string) => {
    setOpenPath(p);
    if (editor.current) editor.current.open(p);
    else pendingOpen.current = p;
    show('Editor');
  }, [show]);

  // A failed refetch (the server restarting) keeps the last good data: the IDE stays, the badge says why.
  const s = session.data;
  if (!s && session.error) return <p role="alert" className="form-error page-pad">{session.error.message}</p>;
  // The panels' sizes are read from localStorage while they render, so the IDE is not rendered on
  // the server; it renders as soon as the page has hydrated, before the session is read: the
  // terminal panel lists and attaches the terminals meanwhile, the panels that need the session wait.
  if (!hydrated) return <p className="muted page-pad">Loading…</p>;
  // The stream's workspace.ready makes the workspace usable at once rather than after a re-read,
  // so a new session's first terminal opens on the event.
  const workspaceStatus = s?.workspace?.status === 'ready' || readyByEvent(events) ? 'ready' : s?.workspace?.status ?? 'none';
  const stopped = s?.status === 'stopped';
  // A viewer sees everything a writer does, read-only (the server refuses their changes anyway).
  const viewer = s?.role === 'viewer';
  const ready = !!s && workspaceStatus === 'ready' && !stopped && !viewer;
  const notReady = viewer ? VIEWER_NOTE : stopped ? 'The session is stopped.' : workspaceStatus !== 'ready' ? 'The workspace is not ready.' : null;
  const progress = provisioningLine(events);
  const diskFull = diskFullMessage(events);
  const loading = <p className="muted page-pad">Loading…</p>;

  // The side panel's tabs: a new panel is one entry here.
  const sideTabs: SideTab[] = [
    { name: 'Agent', render: () => (s ? <AgentPanel sessionId={sessionId} events={events} disabled={notReady} /> : loading) },
    { name: 'Git', render: () => (s ? <GitPanel sessionId={sessionId} events={events} readOnly={notReady} /> : loading) },
    { name: 'Memory', render: () => (s ? <MemoryPanel sessionId={sessionId} events={events} readOnly={viewer ? VIEWER_NOTE : stopped ? 'The session is stopped.' : null} onShowEvent={showEvent} /> : loading) },
    { name: 'Activity', render: () => <section className="panel activity-panel" aria-label="Activity" tabIndex={0}><EventTimeline events={events} focusSeq={focusSeq} /></section> },
  ];

  return (
    <IdeLayout
      sessionId={sessionId}
      view={view}
      terminalCount={terminalCount}
      bar={<>
        <h1 id="session-title">{s?.title ?? title}</h1>
        {s && <span className={`badge ${s.status}`}>{s.status}</span>}
        {s && <span className={`badge ${workspaceStatus}`} title={s.workspace?.sourceRef ?? undefined}>workspace: {workspaceStatus}</span>}
        <ConnectionBadge connection={connection} />
        {progress && <span role="status" className="muted progress-line">{progress}</span>}
        {s?.workspace && (isAdmin
          ? <label className="small-text row" title="Applies to processes started from now on"><input type="checkbox" checked={s.workspace.networkAllowed} disabled={setNetwork.isPending}
              onChange={(e) => setNetwork.mutate({ id: sessionId, allowed: e.target.checked })} /> Network access</label>
          : <span className="badge">{s.workspace.networkAllowed ? 'network on' : 'no network'}</span>)}
        <PresenceBar people={people} />
        <div className="spacer" />
        {workspaceStatus === 'ready' && <IdeCommands sessionId={sessionId} readOnly={!ready} onOpen={openFile} />}
        <MembersButton sessionId={sessionId} />
        {!viewer && <ShareButton sessionId={sessionId} isAdmin={isAdmin} />}
        <ExportEventsButton sessionId={sessionId} />
        {s?.workspace && <ReleaseCheck sessionId={sessionId} disabled={!ready} />}
        {s && !stopped && !viewer && (
          <button type="button" className="ghost danger small" onClick={() => ask(stopSessionConfirmation(s.title, () => stop.mutate({ id: sessionId })))} disabled={stop.isPending}>Stop session</button>
        )}
      </>}
      banners={<>
        {dialog}
        {s?.sandbox && !s.sandbox.confined && (
          <p role="alert" className="banner error">UNSAFE: this server runs workspace processes without a sandbox (TETHER_UNSAFE_NO_SANDBOX=1). Anything run here can read and change the server.</p>
        )}
        {workspaceStatus === 'failed' && <p role="alert" className="banner error">The workspace could not be created: {s?.workspace?.error}</p>}
        {diskFull && <p role="alert" className="banner error">{diskFull}</p>}
        {viewer && <p role="status" className="banner">{VIEWER_NOTE}</p>}
        {(stop.error ?? setNetwork.error) && <p role="alert" className="banner error">{(stop.error ?? setNetwork.error)!.message}</p>}
        {/* Above the panels, so everyone viewing the session sees it whatever tab is open. */}
        <ApprovalPrompt sessionId={sessionId} events={events} />
      </>}
      files={s && workspaceStatus === 'ready'
        ? <FileTree sessionId={sessionId} userId={userId} readOnly={!ready} openBy={openByOthers} onOpen={openFile} onDeleted={(p) => editor.current?.removed([p])} onRenamed={(from, to, done) => editor.current?.renamed(from, to, done)} />
        : <section className="panel file-panel" aria-label="Explorer">{s ? <p className="muted placeholder">{progress ?? 'No workspace.'}</p> : loading}</section>}
      editor={s ? <EditorArea sessionId={sessionId} userId={userId} onReady={onEditorReady} readOnlyWorkspace={!ready} /> : loading}
      terminal={<TerminalPanel sessionId={sessionId} userId={userId} events={events} disabled={!ready} onCountChange={setTerminalCount} />}
      sideTabs={sideTabs}
      status={<StatusBar sessionId={sessionId} connection={connection} workspaceReady={workspaceStatus === 'ready'} />}
    />
  );
}
