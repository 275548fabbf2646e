// Model failovers are audit records: which routes failed and how, and which one answered.
import type { Db } from '../db/client.ts';
import type { ModelFailover } from '../models/router.ts';
import { recordAudit } from './team-audit.ts';

/** A call made for no team (none today) has no chain to go into; the router's log still has it. */
export async function recordFailover(db: Db, f: ModelFailover): Promise<void> {
  if (!f.context.teamId) return;
  await recordAudit(db, {
    teamId: f.context.teamId,
    actorId: null,
    action: f.answeredBy ? 'model.failover' : 'model.unavailable',
    target: f.answeredBy ?? undefined,
    sessionId: f.context.sessionId ?? undefined,
    detail: { failed: f.failed, answeredBy: f.answeredBy, runId: f.context.runId ?? null, userId: f.context.userId ?? null },
  });
}
