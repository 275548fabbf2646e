'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';

const money = (usd: number) => `$${usd.toFixed(2)}`;

/**
 * The team's task profiles: each one's scope, rules, network, route and limits as JSON, checked
 * by the server's schema on save (its message names the field), plus a form for a new profile.
 */
export function AdminProfiles() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.profiles.list.queryKey() });
  const save = useMutation(trpc.profiles.save.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.profiles.delete.mutationOptions({ onSuccess: refresh }));
  const [jsonError, setJsonError] = useState<string | null>(null);

  const submit = (name: string, description: string, specText: string) => {
    let spec: unknown;
    try { spec = JSON.parse(specText); } catch (err) { setJsonError(`The spec of ${name || 'the new profile'} is not JSON: ${err instanceof Error ? err.message : String(err)}`); return; }
    setJsonError(null);
    save.mutate({ name, description, spec: spec as never });
  };
  const error = jsonError ?? save.error?.message ?? remove.error?.message ?? null;
  const template = profiles.data?.find((p) => p.name === 'ask')?.spec;

  return (
    <section className="stack" aria-labelledby="profiles-heading">
      <h1 id="profiles-heading">Task profiles</h1>
      <p className="muted small-text">
        What each type of task may do: its tools (others are not offered to the model), read and write path globs (<code>!</code> excludes),
        the commands it may run (empty: any), rules added to the team&apos;s (ask or deny only), the hosts it may reach, its model route and its limits.
        A call outside the scope is denied; members pick a profile beside the agent&apos;s message box.
      </p>
      {profiles.error && <p role="alert" className="form-error">{profiles.error.message}</p>}
      {error && <p role="alert" className="form-error">{error}</p>}
      {profiles.data?.map((p) => (
        <form key={`${p.name}-${p.updatedAt}`} method="post" className="card stack" aria-label={`Profile ${p.name}`} onSubmit={(e) => {
          e.preventDefault();
          const v = Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;
          submit(p.name, v.description ?? '', v.spec ?? '');
        }}>
          <div className="row"><strong>{p.name}</strong>{p.builtIn && <span className="badge">built-in</span>}</div>
          <div className="field"><label htmlFor={`desc-${p.name}`}>Description</label><input id={`desc-${p.name}`} name="description" defaultValue={p.description} /></div>
          <div className="field"><label htmlFor={`spec-${p.name}`}>Spec (JSON)</label>
            <textarea id={`spec-${p.name}`} name="spec" rows={12} className="mono" defaultValue={JSON.stringify(p.spec, null, 2)} /></div>
          <div className="row">
            <button type="submit" className="primary small" disabled={!hydrated || save.isPending}>Save {p.name}</button>
            {!p.builtIn && <button type="button" className="ghost small danger" disabled={!hydrated || remove.isPending}
              onClick={() => { if (window.confirm(`Delete the ${p.name} profile?`)) remove.mutate({ name: p.name }); }}>Delete</button>}
          </div>
        </form>
      ))}
      {template && (
        <form method="post" className="card stack" aria-label="New profile" onSubmit={(e) => {
          e.preventDefault();
          const v = Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;
          submit(v.name ?? '', v.description ?? '', v.spec ?? '');
        }}>
          <strong>New profile</strong>
          <div className="field"><label htmlFor="new-profile-name">Name</label><input id="new-profile-name" name="name" placeholder="docs" /></div>
          <div className="field"><label htmlFor="new-profile-desc">Description</label><input id="new-profile-desc" name="description" /></div>
          <div className="field"><label htmlFor="new-profile-spec">Spec (JSON)</label>
            <textarea id="new-profile-spec" name="spec" rows={12} className="mono" defaultValue={JSON.stringify(template, null, 2)} /></div>
          <button type="submit" className="primary small" disabled={!hydrated || save.isPending}>Create profile</button>
        </form>
      )}
    </section>
  );
}

/** Tokens and estimated cost per task profile and user, over the last 30 days. */
export function AdminProfilesUsage() {
  const trpc = useTRPC();
  const usage = useQuery(trpc.profiles.usage.queryOptions({ days: 30 }));
  const users = useQuery(trpc.admin.users.queryOptions());
  const nameOf = (id: string) => users.data?.find((u) => u.id === id)?.name ?? id;
  return (
    <section className="stack" aria-labelledby="profile-usage-heading">
      <h2 id="profile-usage-heading">Usage per task profile (30 days)</h2>
      {usage.error && <p role="alert" className="form-error">{usage.error.message}</p>}
      {usage.data && (usage.data.length === 0 ? <p className="muted">No runs yet.</p> : (
        <table className="table">
          <thead><tr><th>Profile</th><th>User</th><th>Runs</th><th>Input tokens</th><th>Output tokens</th><th>Cost (est.)</th></tr></thead>
          <tbody>
            {[...new Set(usage.data.map((r) => r.profile))].flatMap((profile) => {
              const rows = usage.data.filter((r) => r.profile === profile);
              const sum = (k: 'runs' | 'inputTokens' | 'outputTokens' | 'costUsd') => rows.reduce((n, r) => n + r[k], 0);
              return [
                ...rows.map((r) => <tr key={`${profile}-${r.userId}`}><td>{profile}</td><td>{nameOf(r.userId)}</td><td>{r.runs}</td><td>{r.inputTokens}</td><td>{r.outputTokens}</td><td>{money(r.costUsd)}</td></tr>),
                <tr key={`${profile}-team`} className="total"><td>{profile}</td><td><strong>whole team</strong></td><td>{sum('runs')}</td><td>{sum('inputTokens')}</td><td>{sum('outputTokens')}</td><td>{money(sum('costUsd'))}</td></tr>,
              ];
            })}
          </tbody>
        </table>
      ))}
    </section>
  );
}
