'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../lib/trpc.ts';
import { errorOf, Field } from './Field.tsx';

const money = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;

/** Model routes (primary first), their health, today's usage, and run-time changes. */
export function AdminModels() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({ ...trpc.models.status.queryOptions(), refetchInterval: 10_000 });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.models.status.queryKey() });
  const setRoutes = useMutation(trpc.models.setRoutes.mutationOptions({ onSuccess: refresh }));
  const reset = useMutation(trpc.models.resetRoutes.mutationOptions({ onSuccess: refresh }));
  const [editing, setEditing] = useState<string | null>(null);
  const { message, fields } = errorOf(setRoutes.error ?? reset.error);
  const r = status.data?.router;
  const usage = status.data?.usage;

  return (
    <section className="stack" aria-labelledby="models-heading">
      <h2 id="models-heading">Models</h2>
      {status.error && <p role="alert" className="form-error">{status.error.message}</p>}
      {r && !r.configured && <pre role="status" className="banner warn agent-howto">{r.howTo}</pre>}
      {r && (
        <table className="table" aria-label="Model routes">
          <thead><tr><th>#</th><th>Route</th><th>Health</th><th>Calls</th><th>Failures</th><th>First token</th><th>Last error</th></tr></thead>
          <tbody>
            {r.routes.map((route, i) => (
              <tr key={route.id}>
                <td className="num">{i === 0 ? 'primary' : `fallback ${i}`}</td>
                <td><code>{route.id}</code>{route.missing && <span className="badge failed" title={route.missing}> not usable</span>}</td>
                <td><span className={`badge ${route.breaker === 'closed' ? 'active' : 'failed'}`}>{route.breaker === 'closed' ? 'healthy' : route.breaker === 'open' ? 'skipped (circuit open)' : 'probing'}</span></td>
                <td className="num">{route.calls}</td>
                <td className="num">{route.failures}</td>
                <td className="num">{route.meanFirstTokenMs === null ? '—' : `${Math.round(route.meanFirstTokenMs)} ms`}</td>
                <td className="muted">{route.lastError?.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r && (
        <p className="muted small-text">Routes come from the {r.source === 'database' ? 'admin setting below (overriding TETHER_MODELS)' : 'TETHER_MODELS environment variable'}. API keys stay on the server.</p>
      )}
      <form className="card stack" aria-labelledby="routes-heading" onSubmit={(e) => {
        e.preventDefault();
        const list = String(new FormData(e.currentTarget).get('routes') ?? '').split(/[\s,]+/).filter(Boolean);
        setRoutes.mutate({ routes: list }, { onSuccess: () => setEditing(null) });
      }}>
        <h3 id="routes-heading">Change routes</h3>
        <Field label="Routes, primary first (provider:model, comma-separated)" name="routes" placeholder="anthropic:claude-sonnet-4-5, compat:qwen2.5-coder"
          value={editing ?? r?.routes.map((x) => x.id).join(', ') ?? ''} onChange={(e) => setEditing(e.target.value)} error={fields.routes} />
        {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
        <div className="row">
          <button type="submit" className="primary">Save routes</button>
          <button type="button" className="ghost" onClick={() => reset.mutate(undefined, { onSuccess: () => setEditing(null) })} disabled={r?.source !== 'database'}>Reset to environment</button>
        </div>
      </form>
      {usage && (
        <table className="table" aria-label="Model usage today">
          <thead><tr><th>Today (UTC) by route</th><th>Calls</th><th>Tokens in</th><th>Tokens out</th><th>Est. cost</th></tr></thead>
          <tbody>
            {usage.byRoute.length === 0 && <tr><td colSpan={5} className="muted">No model calls today.</td></tr>}
            {usage.byRoute.map((u) => (
              <tr key={u.key ?? 'none'}><td><code>{u.key}</code></td><td className="num">{u.calls}</td><td className="num">{u.inputTokens}</td><td className="num">{u.outputTokens}</td><td className="num">{money(u.costUsd)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
