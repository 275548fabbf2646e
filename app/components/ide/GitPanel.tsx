'use client';
// The git panel: the workspace repository's changes (staged, unstaged, untracked), each file's
// diff in Monaco's diff editor, stage/unstage, commit, branches, pull, push (which the team's
// policy gates: usually an admin approves it, and the outcome arrives as a git.push event).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { SessionEvent } from '../../../server/realtime/protocol.ts';
import { getSocket } from '../../lib/socket.ts';
import { useTRPC, useTRPCClient } from '../../lib/trpc.ts';
import { useShowGitFolder } from './tree-settings.ts';

const DiffView = dynamic(() => import('./DiffView.tsx').then((m) => m.DiffView), {
  ssr: false,
  loading: () => <p className="muted small-text">Loading the diff…</p>,
});

interface FileStatus { path: string; from?: string; staged: string | null; unstaged: string | null; untracked: boolean; conflicted: boolean }
type Side = { kind: 'text'; content: string } | { kind: 'absent' | 'binary' | 'too-large' };

const CHANGE_WORDS: Record<string, string> = { M: 'modified', A: 'added', D: 'deleted', R: 'renamed', C: 'copied', T: 'type changed', U: 'conflicted', '?': 'untracked' };
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What a push from this panel last came to, from the session's events. */
function lastPush(events: SessionEvent[]) {
  const e = events.findLast((x) => x.type === 'git.push');
  if (!e) return null;
  const p = e.payload as { remote: string; branch: string; status: string; reason: string };
  const words = p.status === 'pushed' ? 'pushed' : p.status === 'waiting' ? p.reason : `${p.status}: ${p.reason}`;
  return `Push of ${p.branch} to ${p.remote}: ${words}`;
}

export function GitPanel({ sessionId, events, readOnly }: { sessionId: string; events: SessionEvent[]; readOnly: string | null }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.git.status.queryOptions({ sessionId }, { enabled: !readOnly }));
  const repo = status.data?.repository ? status.data : null;
  const branches = useQuery(trpc.git.branches.queryOptions({ sessionId }, { enabled: !!repo }));
  const history = useQuery(trpc.git.log.queryOptions({ sessionId, limit: 20 }, { enabled: !!repo }));
  const [selected, setSelected] = useState<{ path: string; staged: boolean } | null>(null);
  const [message, setMessage] = useState('');
  const [newBranch, setNewBranch] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [showGitFolder, setShowGitFolder] = useShowGitFolder();

  const refresh = useCallback(() => queryClient.invalidateQueries({ queryKey: trpc.git.pathKey() }), [queryClient, trpc]);

  // Files change under the panel: the editor, the terminal, the agent, a push's answer.
  useEffect(() => {
    const socket = getSocket();
    const onChanged = (e: { sessionId: string }) => { if (e.sessionId === sessionId) void refresh(); };
    socket.on('files:changed', onChanged);
    return () => { socket.off('files:changed', onChanged); };
  }, [sessionId, refresh]);
  const lastChange = events.findLast((e) => e.type === 'file.changed' || e.type === 'git.changed' || e.type === 'git.push' || e.type === 'agent.tool.result')?.seq;
  useEffect(() => { if (lastChange) void refresh(); }, [lastChange, refresh]);

  /** One git action: errors shown where they happened, in git's words; the panel re-reads after. */
  const act = async (what: string, fn: () => Promise<unknown>, done?: string) => {
    setBusy(what);
    setNotice(null);
    try {
      await fn();
      setError(null);
      if (done) setNotice(done);
    } catch (err) {
      setError(`Could not ${what}: ${errorText(err)}`);
    } finally {
      setBusy(null);
      void refresh();
    }
  };

  const files = repo?.files ?? [];
  const staged = files.filter((f) => f.staged);
  const changes = files.filter((f) => f.unstaged || f.untracked);
  const current = branches.data?.current ?? repo?.branch ?? null;
  const disabled = !!readOnly || busy !== null;

  const commit = (e: FormEvent) => {
    e.preventDefault();
    void act('commit', async () => {
      const r = await client.git.commit.mutate({ sessionId, message });
      setMessage('');
      setSelected(null);
      return r;
    }, 'Committed.');
  };
  const createBranch = (e: FormEvent) => {
    e.preventDefault();
    const name = newBranch.trim();
    void act(`create branch ${name}`, async () => {
      await client.git.switchBranch.mutate({ sessionId, name, create: true });
      setNewBranch('');
    }, `Switched to a new branch ${name}.`);
  };
  const push = () => void act('push', async () => {
    const r = await client.git.push.mutate({ sessionId, branch: current ?? '' });
    setNotice(r.status === 'pushed' ? 'Pushed.' : r.status === 'waiting' ? 'The push waits for an approval (see the prompt above).' : `Push ${r.status}: ${r.reason}`);
  });

  const pushLine = lastPush(events);

  return (
    <section className="panel git-panel" aria-label="Git">
      <div className="panel-head">
        <span className="eyebrow">Source control</span>
        <div className="spacer" />
        <label className="small-text row" title="Show the repository's .git folder in the file tree">
          <input type="checkbox" checked={showGitFolder} onChange={(e) => setShowGitFolder(e.target.checked)} /> Show .git
        </label>
        <button type="button" className="ghost small" onClick={() => void refresh()} disabled={status.isFetching}>Refresh</button>
      </div>
      <div className="git-body">
        {readOnly && <p className="muted small-text">{readOnly}</p>}
        {status.error && <p role="alert" className="banner error">{status.error.message}</p>}
        {error && <p role="alert" className="banner error">{error}</p>}
        {notice && <p role="status" className="small-text">{notice}</p>}
        {pushLine && <p role="status" className="small-text muted">{pushLine}</p>}
        {status.data && !status.data.repository && (
          <div className="stack">
            <p className="small-text">This workspace is not a git repository.</p>
            <button type="button" className="small" disabled={disabled} onClick={() => void act('initialize the repository', () => client.git.init.mutate({ sessionId }), 'Initialized an empty repository.')}>Initialize repository</button>
          </div>
        )}
        {repo && (
          <>
            <div className="git-row">
              <label className="small-text" htmlFor="git-branch">Branch</label>
              <select id="git-branch" value={current ?? ''} disabled={disabled}
                onChange={(e) => { const name = e.target.value; void act(`switch to ${name}`, () => client.git.switchBranch.mutate({ sessionId, name }), `Switched to ${name}.`); }}>
                {!current && <option value="">(detached HEAD)</option>}
                {(branches.data?.branches ?? (current ? [current] : [])).map((b) => <option key={b} value={b}>{b}</option>)}
              </select>
              <button type="button" className="ghost small" disabled={disabled} onClick={() => void act('pull', () => client.git.pull.mutate({ sessionId }), 'Pulled.')}>Pull</button>
              <button type="button" className="ghost small" disabled={disabled || !current} onClick={push}>Push</button>
            </div>
            {repo.upstream && <p className="muted small-text">{repo.upstream}: {repo.ahead} ahead, {repo.behind} behind</p>}
            <form className="git-row" onSubmit={createBranch}>
              <input aria-label="New branch name" placeholder="new-branch" value={newBranch} onChange={(e) => setNewBranch(e.target.value)} disabled={disabled} />
              <button type="submit" className="small" disabled={disabled || !newBranch.trim()}>Create branch</button>
            </form>
            <form className="stack git-commit" onSubmit={commit}>
              <textarea aria-label="Commit message" placeholder="Commit message" rows={2} value={message} onChange={(e) => setMessage(e.target.value)} disabled={!!readOnly} />
              <button type="submit" className="primary small" disabled={disabled || !staged.length || !message.trim()}>
                {busy === 'commit' ? 'Committing…' : `Commit${staged.length ? ` ${staged.length} file${staged.length > 1 ? 's' : ''}` : ''}`}
              </button>
            </form>
            <FileList title="Staged changes" files={staged} staged selected={selected} onSelect={setSelected} disabled={disabled}
              onAll={() => void act('unstage', () => client.git.unstage.mutate({ sessionId, paths: staged.map((f) => f.path) }))}
              onOne={(f) => void act(`unstage ${f.path}`, () => client.git.unstage.mutate({ sessionId, paths: [f.path] }))} />
            <FileList title="Changes" files={changes} staged={false} selected={selected} onSelect={setSelected} disabled={disabled}
              onAll={() => void act('stage', () => client.git.stage.mutate({ sessionId, paths: changes.map((f) => f.path) }))}
              onOne={(f) => void act(`stage ${f.path}`, () => client.git.stage.mutate({ sessionId, paths: [f.path] }))} />
            {!files.length && <p className="muted small-text">No changes.</p>}
            {selected && <FileDiff sessionId={sessionId} path={selected.path} staged={selected.staged} onClose={() => setSelected(null)} />}
            <h3 className="eyebrow">History</h3>
            <ol className="git-log" aria-label="History">
              {(history.data ?? []).map((c) => (
                <li key={c.hash}><code title={c.hash}>{c.hash.slice(0, 7)}</code> {c.subject} <span className="muted">— {c.author}</span></li>
              ))}
              {history.data?.length === 0 && <li className="muted">No commits yet.</li>}
            </ol>
          </>
        )}
      </div>
    </section>
  );
}

function FileList({ title, files, staged, selected, onSelect, onOne, onAll, disabled }: {
  title: string; files: FileStatus[]; staged: boolean; disabled: boolean;
  selected: { path: string; staged: boolean } | null;
  onSelect: (s: { path: string; staged: boolean }) => void;
  onOne: (f: FileStatus) => void;
  onAll: () => void;
}) {
  if (!files.length) return null;
  const verb = staged ? 'Unstage' : 'Stage';
  return (
    <div className="git-files">
      <div className="git-row">
        <h3 className="eyebrow">{title} ({files.length})</h3>
        <div className="spacer" />
        <button type="button" className="ghost small" disabled={disabled} onClick={onAll}>{verb} all</button>
      </div>
      <ul aria-label={title}>
        {files.map((f) => {
          const code = staged ? f.staged! : f.untracked ? '?' : f.unstaged!;
          const isSelected = selected?.path === f.path && selected.staged === staged;
          return (
            <li key={f.path} className="git-row">
              <button type="button" className="ghost git-file" aria-pressed={isSelected} title={f.from ? `${f.from} → ${f.path}` : f.path}
                onClick={() => onSelect({ path: f.path, staged })}>{f.path}</button>
              <span className={`badge git-${CHANGE_WORDS[code]?.replace(' ', '-')}`} title={CHANGE_WORDS[code]} aria-label={CHANGE_WORDS[code]}>{code}</span>
              <button type="button" className="ghost small" disabled={disabled} aria-label={`${verb} ${f.path}`} onClick={() => onOne(f)}>{staged ? '−' : '+'}</button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const textOf = (s: Side) => (s.kind === 'text' ? s.content : '');
const notText = (s: Side) => (s.kind === 'binary' ? 'a binary file' : s.kind === 'too-large' ? 'too large to compare' : null);

function FileDiff({ sessionId, path, staged, onClose }: { sessionId: string; path: string; staged: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const versions = useQuery(trpc.git.fileVersions.queryOptions({ sessionId, path, staged }));
  const v = versions.data as { original: Side; modified: Side } | undefined;
  const why = v && (notText(v.original) ?? notText(v.modified));
  return (
    <div className="git-diff">
      <div className="git-row">
        <span className="small-text"><code>{path}</code> {staged ? '(staged: last commit → staged)' : '(staged or last commit → working copy)'}</span>
        <div className="spacer" />
        <button type="button" className="ghost small" onClick={onClose}>Close diff</button>
      </div>
      {versions.error && <p role="alert" className="banner error">{versions.error.message}</p>}
      {why && <p className="muted small-text">No text diff: {why}.</p>}
      {v && !why && <DiffView original={textOf(v.original)} modified={textOf(v.modified)} path={path} label={`Diff of ${path}`} />}
    </div>
  );
}
