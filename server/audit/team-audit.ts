import type { Db } from '../db/client.ts';

/** Team-level actions (accounts, roles); session actions are audited through the event stream. */
export async function recordAudit(
  db: Pick<Db, 'auditEntry'>,
  entry: { teamId: string; actorId: string | null; action: string; target?: string; detail?: Record<string, unknown> },
): Promise<void> {
  await db.auditEntry.create({ data: { teamId: entry.teamId, actorId: entry.actorId, action: entry.action, target: entry.target ?? null, detail: (entry.detail ?? {}) as object } });
}
