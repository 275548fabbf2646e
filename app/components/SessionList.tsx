'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, type RouterOutputs } from '../lib/trpc.ts';
import { relativeTime } from '../lib/relative-time.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { stopSessionConfirmation } from '../lib/session-confirmations.ts';
import { useConfirm } from './ConfirmDialog.tsx';
import { errorOf, Field } from './Field.tsx';
import './dashboard.css';

type Listed = RouterOutputs['sessions']['list'][number];
const POLL_MS = 15_000;
const PROVISIONING_POLL_MS = 1_000;
type Sort = 'activity' | 'title' | 'owner' | 'status' | 'created';
const SORTS: { value: Sort; label: string }[] = [
  { value: 'activity', label: 'Last activity' }, { value: 'title', label: 'Title' }, { value: 'owner', label: 'Owner' },
  { value: 'status', label: 'Status' }, { value: 'created', label: 'Created' },
];

/** The dashboard: the sessions the caller may see (an admin's whole team), searchable and sortable, with their lifecycle actions. */
export function SessionList({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort>('activity');
  const sessions = useQuery({
    ...trpc.sessions.list.queryOptions({ search, sort }),
    placeholderData: (previous) => previous,
    // Statuses change elsewhere (a workspace becomes ready, a colleague stops a session): keep up, faster while one is being created.
    refetchInterval: (q) => (q.state.data?.some((s) => s.workspace?.status === 'provisioning') ? PROVISIONING_POLL_MS : POLL_MS),
  });
  const [creating, setCreating] = useState(false);
  const [source, setSource] = useState<'template' | 'empty' | 'git'>('template');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.sessions.list.pathKey() });
  const create = useMutation(trpc.sessions.create.mutationOptions({
    onSuccess: ({ id }) => {
      // To the new session at once: its shell starts while the page loads; the list refreshes behind.
      router.push(`/sessions/${id}`);
      void refresh();
    },
  }));
  const { message, fields } = errorOf(create.error);
  const total = sessions.data?.length ?? 0;

  return (
    <section aria-labelledby="sessions-heading" className="stack">
      <div className="row">
        <h1 id="sessions-heading">Your sessions</h1>
        <div className="spacer" />
        <button type="button" className="primary" disabled={!hydrated} onClick={() => setCreating(true)}>New session</button>
      </div>
      {isAdmin && <p className="muted small-text">As an admin you see every session of your team.</p>}
      {creating && (
        <form className="card stack" aria-label="New session" onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const kind = String(f.get('source') ?? 'template');
          const source = kind === 'git' ? { kind: 'git' as const, url: String(f.get('url') ?? '') }
            : kind === 'empty' ? { kind: 'empty' as const } : { kind: 'template' as const, template: 'node-ts' };
          create.mutate({ title: String(f.get('title') ?? ''), source });
        }}>
          <Field label="Title" name="title" required autoFocus placeholder="e.g. Fix the flaky login test" error={fields.title} />
          <fieldset className="choices">
            <legend>Workspace</legend>
            <label><input type="radio" name="source" value="template" checked={source === 'template'} onChange={() => setSource('template')} /> Node/TypeScript template</label>
            <label><input type="radio" name="source" value="empty" checked={source === 'empty'} onChange={() => setSource('empty')} /> Empty</label>
            <label><input type="radio" name="source" value="git" checked={source === 'git'} onChange={() => setSource('git')} /> Clone a git repository</label>
          </fieldset>
          {source === 'git' && <Field label="Repository URL or server path" name="url" required placeholder="https://github.com/org/repo.git" error={fields.source} />}
          {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
          <div className="row">
            <button type="submit" className="primary" disabled={create.isPending}>Create session</button>
            <button type="button" className="ghost" onClick={() => setCreating(false)}>Cancel</button>
          </div>
        </form>
      )}
      <div className="row session-filters" role="search">
        <label className="visually-hidden" htmlFor="session-search">Search sessions</label>
        <input id="session-search" type="search" placeholder="Search by title, owner or status" value={search} maxLength={200} onChange={(e) => setSearch(e.target.value)} />
        <label htmlFor="session-sort" className="muted small-text">Sort by</label>
        <select id="session-sort" value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
          {SORTS.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
        </select>
      </div>
      {sessions.isLoading && <p className="muted">Loading…</p>}
      {sessions.error && <p role="alert" className="form-error">{sessions.error.message}</p>}
      {sessions.data && total === 0 && (search.trim()
        ? <p className="muted empty" role="status">No session matches “{search.trim()}”.</p>
        : <p className="muted empty">No sessions yet. Press <strong>New session</strong> to start one.</p>)}
      {total > 0 && (
        <table className="table" aria-label="Sessions">
          <thead><tr><th>Title</th><th>Owner</th><th>Status</th><th>Workspace</th><th>Last activity</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {sessions.data!.map((s) => <SessionRow key={s.id} session={s} onChanged={refresh} />)}
          </tbody>
        </table>
      )}
    </section>
  );
}

function SessionRow({ session: s, onChanged }: { session: Listed; onChanged: () => Promise<void> }) {
  const trpc = useTRPC();
  const { ask, dialog } = useConfirm();
  const [renaming, setRenaming] = useState(false);
  const done = { onSuccess: () => onChanged() };
  const rename = useMutation(trpc.sessions.rename.mutationOptions({ onSuccess: async () => { setRenaming(false); await onChanged(); } }));
  const stop = useMutation(trpc.sessions.stop.mutationOptions(done));
  const restart = useMutation(trpc.sessions.restart.mutationOptions(done));
  const retry = useMutation(trpc.sessions.retry.mutationOptions(done));
  const remove = useMutation(trpc.sessions.delete.mutationOptions(done));
  const error = rename.error ?? stop.error ?? restart.error ?? retry.error ?? remove.error;
  const workspace = s.workspace?.status ?? 'none';
  const busy = stop.isPending || restart.isPending || retry.isPending || remove.isPending;
  // Renaming and deleting belong to the owner and admins; a viewer changes nothing.
  const manages = s.role === 'owner' || s.role === 'admin';
  const works = s.role !== 'viewer';

  return (
    <tr>
      <td>
        {renaming ? (
          <form className="row" aria-label={`Rename ${s.title}`} onSubmit={(e) => {
            e.preventDefault();
            rename.mutate({ id: s.id, title: String(new FormData(e.currentTarget).get('title') ?? '') });
          }}>
            <label className="visually-hidden" htmlFor={`title-${s.id}`}>New title</label>
            <input id={`title-${s.id}`} name="title" defaultValue={s.title} maxLength={120} required autoFocus
              onKeyDown={(e) => { if (e.key === 'Escape') setRenaming(false); }} />
            <button type="submit" className="primary small" disabled={rename.isPending}>Save</button>
            <button type="button" className="ghost small" onClick={() => setRenaming(false)}>Cancel</button>
          </form>
        ) : (
          // Not prefetched: a prefetch made before a rename would bring the old title into the tab.
          <Link href={`/sessions/${s.id}`} prefetch={false}>{s.title}</Link>
        )}
        {error && <p role="alert" className="form-error small-text">{errorOf(error).message}</p>}
      </td>
      <td title={s.owner.email}>{s.owner.name}{' '}{(s.role === 'editor' || s.role === 'viewer') && <span className="badge shared">shared with you · {s.role}</span>}</td>
      <td><span className={`badge ${s.status}`}>{s.status}</span></td>
      <td>
        <span className={`badge ${workspace}`}>{s.workspace ? `${s.workspace.source} · ${workspace}` : 'none'}</span>
        {s.workspace?.error && workspace === 'failed' && <p className="muted small-text workspace-error" title={s.workspace.error}>{s.workspace.error}</p>}
      </td>
      <td className="muted" title={new Date(s.lastActivityAt).toLocaleString()}>{relativeTime(new Date(s.lastActivityAt))}</td>
      <td className="row-actions">
        {!renaming && manages && <button type="button" className="ghost small" onClick={() => setRenaming(true)}>Rename<span className="visually-hidden"> {s.title}</span></button>}
        {works && workspace === 'failed' && s.status !== 'stopped' && (
          <button type="button" className="ghost small" disabled={busy} onClick={() => retry.mutate({ id: s.id })}>Retry<span className="visually-hidden"> creating {s.title}</span></button>
        )}
        {works && s.status === 'active' && (
          <button type="button" className="ghost small danger" disabled={busy} onClick={() => ask(stopSessionConfirmation(s.title, () => stop.mutate({ id: s.id })))}>Stop<span className="visually-hidden"> {s.title}</span></button>
        )}
        {works && s.status === 'stopped' && workspace === 'ready' && (
          <button type="button" className="ghost small" disabled={busy} onClick={() => restart.mutate({ id: s.id })}>Restart<span className="visually-hidden"> {s.title}</span></button>
        )}
        {manages && workspace !== 'provisioning' && (
          <button type="button" className="ghost small danger" disabled={busy} onClick={() => ask({
            title: `Delete “${s.title}”?`,
            body: 'Its workspace files are removed and the session disappears from this list. Its history stays in the audit.',
            confirm: 'Delete session', danger: true, onConfirm: () => remove.mutate({ id: s.id }),
          })}>Delete<span className="visually-hidden"> {s.title}</span></button>
        )}
        {dialog}
      </td>
    </tr>
  );
}
