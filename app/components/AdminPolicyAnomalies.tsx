'use client';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';

/** Runs the anomaly limits paused lately: where, when and why, so an admin can look at each. */
export function AdminPolicyAnomalies() {
  const trpc = useTRPC();
  const anomalies = useQuery({ ...trpc.policy.anomalies.queryOptions(), refetchInterval: 15_000 });
  return (
    <section className="stack" aria-labelledby="anomalies-heading">
      <h2 id="anomalies-heading">Runs paused by the anomaly limits</h2>
      {anomalies.error && <p role="alert" className="form-error">{anomalies.error.message}</p>}
      <table className="table" aria-label="Paused runs">
        <thead><tr><th>When</th><th>Session</th><th>Why</th></tr></thead>
        <tbody>
          {anomalies.isSuccess && anomalies.data.length === 0 && <tr><td colSpan={3} className="muted">No run has been paused.</td></tr>}
          {anomalies.data?.map((a) => (
            <tr key={a.id}>
              <td className="muted">{new Date(a.at).toLocaleString()}</td>
              <td><Link href={`/sessions/${a.sessionId}`}>{a.sessionTitle ?? a.sessionId}</Link></td>
              <td>{a.reason} <span className="muted">(last call: {a.tool})</span></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
