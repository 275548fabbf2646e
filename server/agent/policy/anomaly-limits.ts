// Anomaly limits: a burst of high-risk requests or deletes, or a string of denials, means the
// agent is doing something nobody expected (a prompt injection, a loop). Past a team's limits
// the call at hand is refused and the run is paused for a person to look at; admins are told
// through the team audit trail. Counts are per session and kept in memory: runs are
// single-flight per session in one process, and a restart starts the counts afresh.
import { recordAudit } from '../../audit/team-audit.ts';
import type { Db } from '../../db/client.ts';
import type { ApprovalGate, PolicyCall, PolicyDecision, PolicyHook } from '../policy.ts';
import type { PolicySettingsRecord } from './rules-store.ts';

export interface AnomalyTrip {
  kind: 'high_risk' | 'denials';
  count: number;
  /** The team setting that was exceeded (N or M). */
  limit: number;
  windowSeconds: number | null;
  /** In words, for the run's status, the model and the admins. */
  reason: string;
}

export interface AnomalyLimitsOptions {
  settings(call: PolicyCall): Promise<PolicySettingsRecord>;
  /** Whether the call deletes something (counted with high-risk requests). */
  deletes(call: PolicyCall, decision: PolicyDecision): Promise<boolean>;
  /** Pause the run and tell the admins; called once per trip. */
  onTrip(call: PolicyCall, trip: AnomalyTrip): Promise<void>;
  now?: () => number;
}

interface SessionCounts { requests: number[]; denialsInARow: number }

export const ANOMALY_DECIDER = 'anomaly-limits';

const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} minute${s === 60 ? '' : 's'}` : `${s} seconds`);

export class AnomalyLimits {
  private readonly sessions = new Map<string, SessionCounts>();
  private readonly now: () => number;

  constructor(private readonly o: AnomalyLimitsOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The policy with the limits in front: the request past a limit is refused and pauses the run. */
  policy(inner: PolicyHook): PolicyHook {
    return {
      decide: async (call) => {
        const decision = await inner.decide(call);
        const settings = await this.o.settings(call);
        const counts = this.countsOf(call.sessionId);
        if (decision.risk === 'high' || (await this.o.deletes(call, decision))) {
          const since = this.now() - settings.anomalyWindowSeconds * 1000;
          counts.requests = [...counts.requests.filter((t) => t > since), this.now()];
          if (counts.requests.length > settings.anomalyHighRisk) {
            const trip: AnomalyTrip = {
              kind: 'high_risk', count: counts.requests.length, limit: settings.anomalyHighRisk, windowSeconds: settings.anomalyWindowSeconds,
              reason: `more than ${settings.anomalyHighRisk} high-risk requests or deletes within ${minutes(settings.anomalyWindowSeconds)}`,
            };
            await this.trip(call, trip);
            return { ...decision, decision: 'deny', reason: `the run is paused: ${trip.reason}; an admin has been notified`, by: ANOMALY_DECIDER };
          }
        }
        if (decision.decision !== 'ask') await this.answered(call, decision.decision === 'deny', settings);
        return decision;
      },
    };
  }

  /** The approval gate with denials counted, so a person's "Deny" counts like a rule's. */
  approvals(inner: ApprovalGate): ApprovalGate {
    return {
      request: async (call, signal) => {
        const answer = await inner.request(call, signal);
        await this.answered(call, !answer.granted, await this.o.settings(call));
        return answer;
      },
    };
  }

  private countsOf(sessionId: string): SessionCounts {
    let c = this.sessions.get(sessionId);
    if (!c) this.sessions.set(sessionId, (c = { requests: [], denialsInARow: 0 }));
    return c;
  }

  private async answered(call: PolicyCall, denied: boolean, settings: PolicySettingsRecord) {
    const counts = this.countsOf(call.sessionId);
    counts.denialsInARow = denied ? counts.denialsInARow + 1 : 0;
    if (!denied && !counts.requests.length) this.sessions.delete(call.sessionId);
    if (counts.denialsInARow >= settings.anomalyDenials) {
      await this.trip(call, {
        kind: 'denials', count: counts.denialsInARow, limit: settings.anomalyDenials, windowSeconds: null,
        reason: `${counts.denialsInARow} denials in a row`,
      });
    }
  }

  /** A paused run starts counting afresh when a person resumes it. */
  private async trip(call: PolicyCall, trip: AnomalyTrip) {
    this.sessions.delete(call.sessionId);
    await this.o.onTrip(call, trip);
  }
}

/** The admins' notice of a trip: a team audit entry naming the session, the run and who started it. */
export async function recordAnomaly(db: Pick<Db, 'auditEntry' | 'team'>, teamId: string, call: PolicyCall, trip: AnomalyTrip): Promise<void> {
  await recordAudit(db, {
    teamId, actorId: null, action: 'policy.anomaly', target: call.sessionId,
    detail: { runId: call.runId, startedBy: call.userId, tool: call.tool.name, kind: trip.kind, count: trip.count, limit: trip.limit, windowSeconds: trip.windowSeconds, reason: trip.reason },
  });
}
