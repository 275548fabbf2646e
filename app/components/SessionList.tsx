'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { errorOf, Field } from './Field.tsx';

export function SessionList() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const hydrated = useHydrated();
  const [creating, setCreating] = useState(false);
  const [source, setSource] = useState<'template' | 'empty' | 'git'>('template');
  const create = useMutation(trpc.sessions.create.mutationOptions({
    onSuccess: ({ id }) => {
      // To the new session at once: its shell starts while the page loads; the list refreshes behind.
      router.push(`/sessions/${id}`);
      void queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
    },
  }));
  const { message, fields } = errorOf(create.error);

  return (
    <section aria-labelledby="sessions-heading" className="stack">
      <div className="row">
        <h1 id="sessions-heading">Your sessions</h1>
        <div className="spacer" />
        <button type="button" className="primary" disabled={!hydrated} onClick={() => setCreating(true)}>New session</button>
      </div>
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
      {sessions.isLoading && <p className="muted">Loading…</p>}
      {sessions.error && <p role="alert" className="form-error">{sessions.error.message}</p>}
      {sessions.data?.length === 0 && <p className="muted empty">No sessions yet. Press <strong>New session</strong> to start one.</p>}
      {!!sessions.data?.length && (
        <table className="table">
          <thead><tr><th>Title</th><th>Status</th><th>Workspace</th><th>Events</th><th>Updated</th></tr></thead>
          <tbody>
            {sessions.data.map((s) => (
              <tr key={s.id}>
                <td><Link href={`/sessions/${s.id}`}>{s.title}</Link></td>
                <td><span className={`badge ${s.status}`}>{s.status}</span></td>
                <td>{s.workspace ? <span className={`badge ${s.workspace.status}`}>{s.workspace.source} · {s.workspace.status}</span> : <span className="muted">—</span>}</td>
                <td className="num">{s.lastSeq}</td>
                <td className="muted">{s.updatedAt.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
