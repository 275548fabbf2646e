'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { errorOf, Field } from './Field.tsx';

const split = (v: string) => v.split(',').map((h) => h.trim()).filter(Boolean);

/** A workspace's secrets: names and rules only (values are never shown once set); add, rotate, delete. */
export function AdminSecrets() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const options = useQuery(trpc.policy.options.queryOptions());
  const [picked, setPicked] = useState<string | null>(null);
  const first = options.data?.workspaces[0]?.id ?? null;
  // The default is pinned once shown: a workspace created meanwhile must not swap the list under the admin.
  useEffect(() => { if (!picked && first) setPicked(first); }, [picked, first]);
  const workspaceId = picked ?? first;
  const secrets = useQuery({ ...trpc.secrets.list.queryOptions({ workspaceId: workspaceId ?? '' }), enabled: !!workspaceId });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey() });
  const add = useMutation(trpc.secrets.add.mutationOptions({ onSuccess: refresh }));
  const rotate = useMutation(trpc.secrets.rotate.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.secrets.remove.mutationOptions({ onSuccess: refresh }));
  const { message, fields } = errorOf(add.error);
  const changeError = rotate.error?.message ?? remove.error?.message;

  return (
    <section className="stack" aria-labelledby="secrets-heading">
      <h1 id="secrets-heading">Workspace secrets</h1>
      <p className="muted small-text">
        Encrypted at rest. The egress proxy adds a secret to requests for its hosts, so the workspace never holds it; only a secret with an
        environment variable name is given to agent commands and terminals. Values are masked in everything the agent reads, and every change
        and use is in the audit log.
      </p>
      {options.error && <p role="alert" className="form-error">{options.error.message}</p>}
      {options.data && !options.data.workspaces.length && <p className="muted">No workspaces yet.</p>}
      {workspaceId && (
        <div className="field">
          <label htmlFor="secrets-workspace">Workspace</label>
          <select id="secrets-workspace" value={workspaceId} onChange={(e) => setPicked(e.target.value)}>
            {options.data?.workspaces.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select>
        </div>
      )}
      {secrets.error && <p role="alert" className="form-error">{secrets.error.message}</p>}
      {secrets.data && (
        <table className="card" aria-label="Secrets">
          <thead><tr><th>Name</th><th>Hosts (proxy header)</th><th>Environment variable</th><th>Updated</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {secrets.data.length === 0 && <tr><td colSpan={5} className="muted">No secrets in this workspace.</td></tr>}
            {secrets.data.map((s) => (
              <tr key={s.name}>
                <td><code>{s.name}</code></td>
                <td>{s.hosts.length ? `${s.hosts.join(', ')} (${s.headerName})` : <span className="muted">none</span>}</td>
                <td>{s.exposeAsEnv ? <code>{s.exposeAsEnv}</code> : <span className="muted">not in the sandbox</span>}</td>
                <td>{new Date(s.updatedAt).toLocaleString()}</td>
                <td>
                  <form className="row" aria-label={`Rotate ${s.name}`} onSubmit={(e) => {
                    e.preventDefault();
                    const value = String(new FormData(e.currentTarget).get('value') ?? '');
                    rotate.mutate({ workspaceId: workspaceId!, name: s.name, value });
                    e.currentTarget.reset();
                  }}>
                    <input type="password" name="value" aria-label={`New value for ${s.name}`} autoComplete="off" required />
                    <button type="submit" className="small" disabled={!hydrated || rotate.isPending}>Rotate</button>
                    <button type="button" className="small danger" disabled={!hydrated || remove.isPending}
                      onClick={() => { if (confirm(`Delete the secret ${s.name}?`)) remove.mutate({ workspaceId: workspaceId!, name: s.name }); }}>Delete</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {changeError && <p role="alert" className="form-error">{changeError}</p>}
      {workspaceId && (
        <form method="post" className="card stack" aria-label="Add a secret" onSubmit={(e) => {
          e.preventDefault();
          const v = Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;
          add.mutate({
            workspaceId, name: v.name ?? '', value: v.value ?? '', hosts: split(v.hosts ?? ''),
            exposeAsEnv: v.exposeAsEnv?.trim() ? v.exposeAsEnv.trim() : null,
          }, { onSuccess: () => (e.target as HTMLFormElement).reset() });
        }}>
          <h2>Add a secret</h2>
          <div className="grid-2">
            <Field label="Name" name="name" id="secret-name" required error={fields.name} />
            <Field label="Value" name="value" id="secret-value" type="password" autoComplete="off" required error={fields.value} />
            <Field label="Hosts the proxy adds it to (comma-separated; *.example.com)" name="hosts" id="secret-hosts" error={fields.hosts} />
            <Field label="Environment variable (optional; puts it inside the sandbox)" name="exposeAsEnv" id="secret-env" error={fields.exposeAsEnv} />
          </div>
          {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
          {add.isSuccess && <p role="status" className="muted small-text">Saved. The value will not be shown again.</p>}
          <div className="row"><button type="submit" className="primary" disabled={!hydrated || add.isPending}>Add secret</button></div>
        </form>
      )}
    </section>
  );
}
