// Prometheus metrics (served at /metrics, server/metrics/endpoint.ts). Counters and histograms
// are fed where things happen; gauges are read from the services when Prometheus scrapes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tether_process_' });

export const modelCalls = new Counter({
  name: 'tether_model_calls_total', help: 'Model calls by route and outcome', labelNames: ['route', 'outcome'] as const, registers: [registry],
});
export const modelTokens = new Counter({
  name: 'tether_model_tokens_total', help: 'Model tokens by route and direction', labelNames: ['route', 'direction'] as const, registers: [registry],
});
export const agentRunsEnded = new Counter({
  name: 'tether_agent_runs_ended_total', help: 'Agent runs that ended, by status', labelNames: ['status'] as const, registers: [registry],
});
export const approvalsDecided = new Counter({
  name: 'tether_approvals_decided_total', help: 'Approvals settled, by outcome', labelNames: ['outcome'] as const, registers: [registry],
});
export const approvalWaitSeconds = new Histogram({
  name: 'tether_approval_wait_seconds', help: 'From an approval being asked to its answer',
  buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600], registers: [registry],
});
export const eventAppendSeconds = new Histogram({
  name: 'tether_event_append_seconds', help: 'Appending events to a session stream (database round trip included)',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry],
});

/** Point-in-time figures, read from the services at scrape time. */
export interface GaugeSources {
  sessionsByStatus(): Promise<Record<string, number>>;
  terminalsOpen(): number;
  agentRunsActive(): Promise<number>;
  approvalsPending(): Promise<number>;
}

export function registerGauges(sources: GaugeSources): void {
  for (const name of ['tether_sessions', 'tether_terminals_open', 'tether_agent_runs_active', 'tether_approvals_pending']) registry.removeSingleMetric(name);
  new Gauge({
    name: 'tether_sessions', help: 'Sessions by status', labelNames: ['status'] as const, registers: [registry],
    async collect() {
      this.reset();
      for (const [status, n] of Object.entries(await sources.sessionsByStatus())) this.set({ status }, n);
    },
  });
  new Gauge({ name: 'tether_terminals_open', help: 'Terminals open on this instance', registers: [registry], collect() { this.set(sources.terminalsOpen()); } });
  new Gauge({ name: 'tether_agent_runs_active', help: 'Agent runs running (all instances)', registers: [registry], async collect() { this.set(await sources.agentRunsActive()); } });
  new Gauge({ name: 'tether_approvals_pending', help: 'Approvals waiting for an answer', registers: [registry], async collect() { this.set(await sources.approvalsPending()); } });
}
