'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC, type RouterOutputs } from '../lib/trpc.ts';
import { errorOf, Field } from './Field.tsx';

const money = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
const tokens = (n: number) => n.toLocaleString('en-US');

const TASKS = {
  agent: { title: 'Agent routes', env: 'TETHER_MODELS', purpose: 'the coding agent' },
  extraction: { title: 'Extraction routes', env: 'TETHER_MODELS_EXTRACTION', purpose: 'memory extraction (cheap and fast is fine; the model is asked once per turn only when TETHER_MODELS_EXTRACTION is set, otherwise memory comes from rules)' },
} as const;

const WINDOW_SOURCE = { admin: 'set here', setting: 'TETHER_MODEL_CONTEXT_<n>', known: 'known model', assumed: 'unknown model: assumed small; set it here' } as const;

/** Model routes per task (primary first), their health and context windows, today's usage, and run-time changes. */
export function AdminModels() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.models.status.queryOptions(), refetchInterval: 10_000 });
  const usage = status.data?.usage;

  return (
    <section className="stack" aria-labelledby="models-heading">
      <h2 id="models-heading">Models</h2>
      {status.error && <p role="alert" className="form-error">{status.error.message}</p>}
      {status.data?.tasks.map((t) => <TaskRoutes key={t.task} status={t} />)}
      {usage && (
        <table className="table" aria-label="Model usage today">
          <thead><tr><th>Today (UTC) by task and route</th><th>Task</th><th>Calls</th><th>Tokens in</th><th>Tokens out</th><th>Est. cost</th></tr></thead>
          <tbody>
            {usage.byRoute.length === 0 && <tr><td colSpan={6} className="muted">No model calls today.</td></tr>}
            {usage.byRoute.map((u) => (
              <tr key={u.key ?? 'none'}><td><code>{u.route}</code></td><td>{u.task}</td><td className="num">{u.calls}</td><td className="num">{u.inputTokens}</td><td className="num">{u.outputTokens}</td><td className="num">{money(u.costUsd)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type RouterStatus = RouterOutputs['models']['status']['tasks'][number];
type RouteStatus = RouterStatus['routes'][number];

/** A route without its key is never "healthy": it cannot be called at all, whatever its breaker says. */
function RouteHealthBadge({ route }: { route: RouteStatus }) {
  if (route.missing) return <span className="badge failed" title={route.missing}>not usable: {route.missing}</span>;
  if (route.breaker === 'open') return <span className="badge failed">skipped (circuit open)</span>;
  if (route.breaker === 'half-open') return <span className="badge failed">probing</span>;
  return <span className="badge active">healthy</span>;
}

function TaskRoutes({ status: r }: { status: RouterStatus }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.models.status.queryKey() });
  const setRoutes = useMutation(trpc.models.setRoutes.mutationOptions({ onSuccess: refresh }));
  // What the last save said about keys: shown until the next save or reset.
  const [unusable, setUnusable] = useState<{ id: string; missing: string }[]>([]);
  const reset = useMutation(trpc.models.resetRoutes.mutationOptions({ onSuccess: refresh }));
  const [editing, setEditing] = useState<string | null>(null);
  const { message, fields } = errorOf(setRoutes.error ?? reset.error);
  const meta = TASKS[r.task];
  const headingId = `routes-${r.task}-heading`;
  const source = r.source === 'database' ? `the admin setting below (overriding ${meta.env})`
    : r.source === 'inherited' ? `the agent routes (${meta.env} is not set)` : `the ${meta.env} environment variable`;

  return (
    <section className="stack" aria-labelledby={headingId}>
      <h3 id={headingId}>{meta.title}</h3>
      <p className="muted small-text">
        Used for {meta.purpose}. Routes come from {source}. The prompt budget is the smallest context window below, less the reply and the tool schemas;
        for a model the table does not know, write its window after the route (<code>compat:my-model=32768</code>). API keys stay on the server.
      </p>
      {r.task === 'agent' && !r.configured && <pre role="status" className="banner warn agent-howto">{r.howTo}</pre>}
      <table className="table" aria-label={meta.title}>
        <thead><tr><th>#</th><th>Route</th><th>Context window</th><th>Health</th><th>Calls</th><th>Failures</th><th>First token</th><th>Last error</th></tr></thead>
        <tbody>
          {r.routes.map((route, i) => (
            <tr key={route.id}>
              <td className="num">{i === 0 ? 'primary' : `fallback ${i}`}</td>
              <td><code>{route.id}</code></td>
              <td className="num">{tokens(route.contextWindow.tokens)} tokens <span className="muted">({WINDOW_SOURCE[route.contextWindow.source]})</span></td>
              <td><RouteHealthBadge route={route} /></td>
              <td className="num">{route.calls}</td>
              <td className="num">{route.failures}</td>
              <td className="num">{route.meanFirstTokenMs === null ? '—' : `${Math.round(route.meanFirstTokenMs)} ms`}</td>
              <td className="muted">{route.lastError?.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="card stack" aria-label={`Change ${meta.title.toLowerCase()}`} onSubmit={(e) => {
        e.preventDefault();
        const list = String(new FormData(e.currentTarget).get('routes') ?? '').split(/[\s,]+/).filter(Boolean);
        setRoutes.mutate({ task: r.task, routes: list }, { onSuccess: (saved) => { setEditing(null); setUnusable(saved.unusable); } });
      }}>
        <Field id={`routes-${r.task}`} label={`${meta.title}, primary first (provider:model, comma-separated)`} name="routes" placeholder="anthropic:claude-sonnet-4-5, compat:qwen2.5-coder:7b=32768"
          value={editing ?? r.routes.map((x) => (x.contextWindow.source === 'admin' ? `${x.id}=${x.contextWindow.tokens}` : x.id)).join(', ')} onChange={(e) => setEditing(e.target.value)} error={fields.routes} />
        {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
        {unusable.length > 0 && (
          <div role="alert" className="banner warn">
            Saved, but {unusable.length === 1 ? 'this route cannot' : 'these routes cannot'} be called:
            <ul>{unusable.map((u) => <li key={u.id}><code>{u.id}</code>: {u.missing}</li>)}</ul>
          </div>
        )}
        <div className="row">
          <button type="submit" className="primary">Save {meta.title.toLowerCase()}</button>
          <button type="button" className="ghost" onClick={() => reset.mutate({ task: r.task }, { onSuccess: () => { setEditing(null); setUnusable([]); } })} disabled={r.source !== 'database'}>
            Reset {meta.title.toLowerCase()}
          </button>
        </div>
      </form>
    </section>
  );
}
