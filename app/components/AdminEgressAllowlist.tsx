'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { errorOf, Field } from './Field.tsx';

/** The hosts network-on workspaces reach without asking: the team's and each workspace's. */
export function AdminEgressAllowlist() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const list = useQuery(trpc.egress.allowlist.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.egress.allowlist.queryKey() });
  const add = useMutation(trpc.egress.add.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.egress.remove.mutationOptions({ onSuccess: refresh }));
  const { message, fields } = errorOf(add.error);
  const workspaceName = (id: string | null) => (id ? `Workspace of “${list.data?.workspaces.find((w) => w.id === id)?.name ?? id}”` : 'The whole team');

  return (
    <section className="stack" aria-labelledby="egress-heading">
      <h1 id="egress-heading">Network allowlist</h1>
      <p className="muted">
        A workspace with network on has no route of its own: everything goes through Tether&apos;s egress proxy, which lets these
        hosts through and asks the session&apos;s people about any other (“Allow always” adds the host here, for that workspace).
        The host itself, private networks and cloud metadata addresses are never reachable. <code>*.example.com</code> matches subdomains.
      </p>
      {list.error && <p role="alert" className="form-error">{list.error.message}</p>}
      {remove.error && <p role="alert" className="form-error">{remove.error.message}</p>}
      <table className="table" aria-label="Allowed hosts">
        <thead><tr><th>Host</th><th>For</th><th>Note</th><th><span className="visually-hidden">Remove</span></th></tr></thead>
        <tbody>
          {list.isSuccess && list.data.entries.length === 0 && <tr><td colSpan={4} className="muted">No hosts: every connection is asked about.</td></tr>}
          {list.data?.entries.map((e) => (
            <tr key={e.id}>
              <td><code>{e.host}</code></td>
              <td>{workspaceName(e.workspaceId)}</td>
              <td className="muted">{e.note}</td>
              <td>
                <button type="button" className="ghost small" disabled={!hydrated || remove.isPending}
                  onClick={() => { if (window.confirm(`Remove ${e.host} from the allowlist?`)) remove.mutate({ id: e.id }); }}>
                  Remove <span className="visually-hidden">{e.host}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" className="card stack" aria-labelledby="add-host-heading" onSubmit={(ev) => {
        ev.preventDefault();
        const form = ev.currentTarget;
        const v = Object.fromEntries(new FormData(form)) as Record<string, string>;
        add.mutate({ host: v.host ?? '', workspaceId: v.workspaceId || null, note: v.note ?? '' }, { onSuccess: () => form.reset() });
      }}>
        <h2 id="add-host-heading">Allow a host</h2>
        <div className="grid-2">
          <Field label="Host" name="host" id="egress-host" placeholder="registry.example.com  ·  *.example.com" required error={fields.host} />
          <div className="field">
            <label htmlFor="egress-scope">For</label>
            <select id="egress-scope" name="workspaceId" defaultValue="">
              <option value="">The whole team</option>
              {list.data?.workspaces.map((w) => <option key={w.id} value={w.id}>Workspace of “{w.name}”</option>)}
            </select>
          </div>
          <Field label="Note (why)" name="note" id="egress-note" placeholder="optional" error={fields.note} />
        </div>
        {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
        <div className="row"><button type="submit" className="primary" disabled={!hydrated || add.isPending}>Allow host</button></div>
      </form>
    </section>
  );
}
