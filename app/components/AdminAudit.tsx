'use client';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC, useTRPCClient, type RouterInputs, type RouterOutputs } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';

type Filter = Omit<RouterInputs['audit']['list'], 'cursor' | 'limit'>;
type Report = RouterOutputs['audit']['verify']['reports'][number];
const PAGE = 50;
const EXPORT_PAGE = 1000;

/** A datetime-local value (the admin's own clock) as the ISO instant the API takes. */
const isoOrUndefined = (v: FormDataEntryValue | null) => (typeof v === 'string' && v ? new Date(v).toISOString() : undefined);
const textOrUndefined = (v: FormDataEntryValue | null) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function filterFrom(form: HTMLFormElement): Filter {
  const f = new FormData(form);
  const risk = textOrUndefined(f.get('risk'));
  return {
    userId: textOrUndefined(f.get('userId')), sessionId: textOrUndefined(f.get('sessionId')), kind: textOrUndefined(f.get('kind')),
    risk: risk === 'low' || risk === 'medium' || risk === 'high' ? risk : undefined,
    decision: textOrUndefined(f.get('decision')), from: isoOrUndefined(f.get('from')), to: isoOrUndefined(f.get('to')),
  };
}

function describeReport(r: Report): string {
  const name = r.chain === 'team' ? 'Team audit chain' : `Session ${r.sessionId}`;
  if (!r.broken) return `${name}: ${r.records} records verified`;
  return `${name}: broken at record ${r.broken.seq}${r.broken.id ? ` (id ${r.broken.id})` : ''}: ${r.broken.reason}`;
}

/** /admin/audit: both chains in one list, filtered, paged by keyset, exported and verified. */
export function AdminAudit() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const hydrated = useHydrated();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>({});
  const [exportError, setExportError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const list = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions({ ...filter, limit: PAGE }, { getNextPageParam: (p) => p.nextCursor ?? undefined }));
  const verify = useMutation(trpc.audit.verify.mutationOptions());
  const retention = useQuery(trpc.audit.retention.queryOptions());
  const setRetention = useMutation(trpc.audit.setRetention.mutationOptions({
    onSuccess: (data) => queryClient.setQueryData(trpc.audit.retention.queryKey(), data),
  }));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const broken = verify.data?.reports.filter((r) => r.broken) ?? [];

  async function exportJsonLines() {
    setExporting(true);
    setExportError(null);
    try {
      const lines: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.audit.list.query({ ...filter, limit: EXPORT_PAGE, cursor });
        for (const item of page.items) lines.push(JSON.stringify(item));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const url = URL.createObjectURL(new Blob([lines.map((l) => `${l}\n`).join('')], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `tether-audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.jsonl`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setExportError(`Export failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setExporting(false);
    }
  }

  return (
    <section className="stack" aria-labelledby="audit-heading">
      <h1 id="audit-heading">Audit</h1>
      <form className="card stack" aria-label="Audit filters" onSubmit={(e) => { e.preventDefault(); setFilter(filterFrom(e.currentTarget)); }}>
        <div className="grid-2">
          <div className="field"><label htmlFor="audit-kind">Kind (or prefix)</label><input id="audit-kind" name="kind" placeholder="agent.tool, terminal.command, policy." /></div>
          <div className="field"><label htmlFor="audit-user">User id</label><input id="audit-user" name="userId" /></div>
          <div className="field"><label htmlFor="audit-session">Session id</label><input id="audit-session" name="sessionId" /></div>
          <div className="field"><label htmlFor="audit-risk">Risk</label>
            <select id="audit-risk" name="risk" defaultValue=""><option value="">any</option><option>low</option><option>medium</option><option>high</option></select></div>
          <div className="field"><label htmlFor="audit-decision">Decision</label><input id="audit-decision" name="decision" placeholder="allow, ask, deny, approved, denied" /></div>
          <div className="field"><label htmlFor="audit-from">From</label><input id="audit-from" name="from" type="datetime-local" step="1" /></div>
          <div className="field"><label htmlFor="audit-to">To</label><input id="audit-to" name="to" type="datetime-local" step="1" /></div>
        </div>
        <div className="row">
          <button type="submit" className="primary" disabled={!hydrated}>Apply filters</button>
          <button type="button" disabled={!hydrated || exporting} onClick={() => void exportJsonLines()}>{exporting ? 'Exporting…' : 'Export JSON Lines'}</button>
          <button type="button" disabled={!hydrated || verify.isPending} onClick={() => verify.mutate({ sessionId: filter.sessionId })}>
            {verify.isPending ? 'Verifying…' : 'Verify'}
          </button>
        </div>
      </form>
      {exportError && <p role="alert" className="form-error">{exportError}</p>}
      {verify.error && <p role="alert" className="form-error">Verify failed: {verify.error.message}</p>}
      {verify.data && (
        <div role="status" aria-label="Verification result" className="card stack">
          {broken.length
            ? <><p className="form-error">Tampering detected in {broken.length} chain{broken.length > 1 ? 's' : ''}.</p>{broken.map((r) => <p key={`${r.chain}-${r.sessionId}`}>{describeReport(r)}</p>)}</>
            : <p>All {verify.data.reports.length} chains verified ({verify.data.reports.reduce((n, r) => n + r.records, 0)} records); nothing was changed.</p>}
        </div>
      )}
      {list.error && <p role="alert" className="form-error">{list.error.message}</p>}
      {list.isLoading && <p className="muted">Loading…</p>}
      <table className="table" aria-label="Audit records">
        <thead><tr><th>Time</th><th>Kind</th><th>What</th><th>Who</th><th>Risk</th><th>Decision</th><th>Decided by</th><th>Where</th></tr></thead>
        <tbody>
          {items.map((i) => (
            <tr key={`${i.source}-${i.id}`}>
              <td><time dateTime={i.createdAt}>{new Date(i.createdAt).toLocaleString()}</time></td>
              <td>{i.kind}</td>
              <td><code>{i.summary}</code></td>
              <td>{i.actorId ?? i.actorKind}</td>
              <td>{i.risk ?? ''}</td>
              <td>{i.decision ?? ''}</td>
              <td>{i.decidedBy ?? ''}</td>
              <td className="muted">{i.source === 'team' ? `team #${i.seq ?? '–'}` : `session ${i.sessionId} #${i.seq}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!list.isLoading && !items.length && !list.error && <p className="muted">No records match.</p>}
      {list.hasNextPage && (
        <div className="row"><button type="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{list.isFetchingNextPage ? 'Loading…' : 'Older records'}</button></div>
      )}
      <form className="card stack" aria-label="Audit retention" onSubmit={(e) => {
        e.preventDefault();
        const days = textOrUndefined(new FormData(e.currentTarget).get('days'));
        setRetention.mutate({ days: days ? Number(days) : null });
      }} key={String(retention.data?.days)}>
        <div className="field">
          <label htmlFor="audit-retention">Keep audit records for (days; empty keeps them forever)</label>
          <input id="audit-retention" name="days" type="number" min={1} max={36500} defaultValue={retention.data?.days ?? ''} />
        </div>
        {setRetention.error && <p role="alert" className="form-error">{setRetention.error.message}</p>}
        {setRetention.isSuccess && <p role="status" className="muted small-text">Saved{setRetention.data.pruned ? `; ${setRetention.data.pruned} older team entries removed` : ''}.</p>}
        <div className="row"><button type="submit" disabled={!hydrated || setRetention.isPending}>Save retention</button></div>
      </form>
    </section>
  );
}
