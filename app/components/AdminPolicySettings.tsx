'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { errorOf, Field } from './Field.tsx';

/** The team's policy settings: what medium risk does, and the anomaly limits that pause a run. */
export function AdminPolicySettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const settings = useQuery(trpc.policy.settings.queryOptions());
  const save = useMutation(trpc.policy.setSettings.mutationOptions({
    onSuccess: (data) => queryClient.setQueryData(trpc.policy.settings.queryKey(), data),
  }));
  const { message, fields } = errorOf(save.error);
  const s = settings.data;

  return (
    <section className="stack" aria-labelledby="policy-settings-heading">
      <h2 id="policy-settings-heading">Policy settings</h2>
      {settings.error && <p role="alert" className="form-error">{settings.error.message}</p>}
      {s && (
        <form method="post" className="card stack" aria-labelledby="policy-settings-heading" key={JSON.stringify(s)} onSubmit={(e) => {
          e.preventDefault();
          const v = Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;
          save.mutate({
            mediumAction: v.mediumAction === 'ask' ? 'ask' : 'allow',
            anomalyHighRisk: Number(v.anomalyHighRisk), anomalyDenials: Number(v.anomalyDenials), anomalyWindowSeconds: Number(v.anomalyWindowSeconds),
          });
        }}>
          <div className="field">
            <label htmlFor="medium-action">Medium-risk calls with no matching rule (ordinary writes and commands)</label>
            <select id="medium-action" name="mediumAction" defaultValue={s.mediumAction}>
              <option value="allow">allow</option>
              <option value="ask">ask a person</option>
            </select>
          </div>
          <p className="muted small-text">Anomaly limits pause the run and notify the admins:</p>
          <div className="grid-2 policy-settings-grid">
            <Field label="High-risk requests or deletes allowed per window (N)" name="anomalyHighRisk" id="anomaly-high-risk" type="number" min={1} max={1000}
              defaultValue={s.anomalyHighRisk} error={fields.anomalyHighRisk} />
            <Field label="Window (seconds)" name="anomalyWindowSeconds" id="anomaly-window" type="number" min={10} max={86400}
              defaultValue={s.anomalyWindowSeconds} error={fields.anomalyWindowSeconds} />
            <Field label="Denials in a row that pause the run (M)" name="anomalyDenials" id="anomaly-denials" type="number" min={1} max={100}
              defaultValue={s.anomalyDenials} error={fields.anomalyDenials} />
          </div>
          {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
          {save.isSuccess && <p role="status" className="muted small-text">Saved.</p>}
          <div className="row"><button type="submit" className="primary" disabled={!hydrated || save.isPending}>Save settings</button></div>
        </form>
      )}
    </section>
  );
}
