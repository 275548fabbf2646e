// Anomaly limits: a burst of high-risk requests or deletes, or a string of denials, means the
// agent is doing something nobody expected (a prompt injection, a loop). Past a team's limits
// the call at hand is refused and the run is paused for a person to look at; admins are told
// through the team audit trail. Counts are per session and kept in memory: a session's run is
// held by one instance at a time (the run lease, even with several instances), so that instance
// sees every call; a restart, or a run resumed on another instance, starts the counts afresh.
import { z } from 'zod';
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
  /** Pause the run and tell the admins; called once per trip. */
  onTrip(call: PolicyCall, trip: AnomalyTrip): Promise<void>;
  now?: () => number;
}

interface SessionCounts { requests: number[]; denialsInARow: number }

export const ANOMALY_DECIDER = 'anomaly-limits';

/** Programs whose whole job is removing files; `find -delete` and `git rm/clean` count too. */
const DELETERS = new Set(['rm', 'rmdir', 'unlink', 'shred']);

/**
 * Whether a call deletes something, judged on the commands the engine parsed (wrappers, quoting
 * tricks and lists already resolved), never on the raw text.
 */
export function deletesSomething(decision: PolicyDecision): boolean {
  return (decision.commands ?? []).some((argv) => {
    const name = argv[0]?.split('/').at(-1) ?? '';
    return DELETERS.has(name) || (name === 'find' && argv.includes('-delete')) || (name === 'git' && ['rm', 'clean'].includes(argv[1] ?? ''));
  });
}

const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} minute${s === 60 ? '' : 's'}` : `${s} seconds`);

export class AnomalyLimits {
  private readonly sessions = new Map<string, SessionCounts>();

  /** Sessions with something counted (for tests: the counts do not outlive their window). */
  get tracked(): number { return this.sessions.size; }
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
        if (decision.risk === 'high' || deletesSomething(decision)) {
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
    // Nothing left to remember: the session costs no memory until its next high-risk request.
    counts.requests = counts.requests.filter((t) => t > this.now() - settings.anomalyWindowSeconds * 1000);
    if (!denied && !counts.requests.length) this.sessions.delete(call.sessionId);
    if (counts.denialsInARow >= settings.anomalyDenials) {
      await this.trip(call, {
        kind: 'denials', count: counts.denialsInARow, limit: settings.anomalyDenials, windowSeconds: null,
        reason: `${counts.denialsInARow} denial${counts.denialsInARow === 1 ? '' : 's'} in a row`,
      });
    }
  }

  /** A paused run starts counting afresh when a person resumes it. */
  private async trip(call: PolicyCall, trip: AnomalyTrip) {
    this.sessions.delete(call.sessionId);
    await this.o.onTrip(call, trip);
  }
}

const ANOMALY_ACTION = 'policy.anomaly';

/** What a trip's audit entry records, so the admins' views read it back typed. */
const anomalyDetail = z.object({
  runId: z.string(), startedBy: z.string(), tool: z.string(), kind: z.enum(['high_risk', 'denials']),
  count: z.number().int(), limit: z.number().int(), windowSeconds: z.number().int().nullable(), reason: z.string(),
});

/** The admins' notice of a trip: a team audit entry naming the session, the run and who started it. */
export async function recordAnomaly(db: Pick<Db, 'auditEntry' | 'team'>, teamId: string, call: PolicyCall, trip: AnomalyTrip): Promise<void> {
  const detail: z.infer<typeof anomalyDetail> = { runId: call.runId, startedBy: call.userId, tool: call.tool.name, ...trip };
  await recordAudit(db, { teamId, actorId: null, action: ANOMALY_ACTION, target: call.sessionId, detail });
}

/** The team's latest trips, newest first, with the session's title, for the admin pages. */
export async function recentAnomalies(db: Pick<Db, 'auditEntry' | 'session'>, teamId: string, take = 20) {
  const rows = await db.auditEntry.findMany({ where: { teamId, action: ANOMALY_ACTION }, orderBy: { createdAt: 'desc' }, take });
  const ids = rows.map((r) => r.target).filter((id): id is string => !!id);
  const titles = new Map((await db.session.findMany({ where: { id: { in: ids }, teamId }, select: { id: true, title: true } })).map((s) => [s.id, s.title]));
  return rows.flatMap((r) => {
    const detail = anomalyDetail.safeParse(r.detail);
    if (!detail.success || !r.target) return [];
    return [{ id: r.id, at: r.createdAt, sessionId: r.target, sessionTitle: titles.get(r.target) ?? null, ...detail.data }];
  });
}
