// The team-level audit chain: actions that belong to no single session's event stream (accounts,
// roles, rules, settings, anomalies, model failovers). Each entry carries seq, prevHash and hash,
// so editing, reordering or dropping one is detectable exactly as in a session's event chain.
import type { Db } from '../db/client.ts';
import { auditEntryHash } from './hash.ts';

/** What recordAudit needs: the root client or an interactive transaction's client. */
export type AuditDb = Pick<Db, 'auditEntry' | 'team'>;

export interface NewAuditEntry {
  teamId: string;
  actorId: string | null;
  action: string;
  target?: string;
  /** The session an entry concerns, if any; kept as a plain id so it outlives the session. */
  sessionId?: string;
  detail?: Record<string, unknown>;
}

/** An interactive transaction's client still answers to $transaction but has no $disconnect (checked on Prisma 7.10). */
const isRootClient = (db: AuditDb): db is Db => typeof (db as Partial<Db>).$disconnect === 'function';
/** Appends queue on the team row's lock; under a burst they wait for a pool connection longer than Prisma's 2 s default. */
const TRANSACTION_WAIT = { maxWait: 15_000 };

/**
 * Appends one entry to the team's chain. The head moves first (an atomic increment of
 * Team.auditSeq), which takes the team row's write lock until the surrounding transaction ends:
 * a concurrent appender — another request or another server instance — waits for it and then
 * reads the committed head, so seq has no gaps or duplicates and each hash chains onto the last.
 * Unlike appendEvents' optimistic retry, this also works inside a caller's transaction (a rule
 * edit and its audit entry commit together), where a conflict could not be retried.
 */
export async function recordAudit(db: AuditDb, entry: NewAuditEntry): Promise<void> {
  if (isRootClient(db)) {
    await db.$transaction((tx) => append(tx, entry), TRANSACTION_WAIT);
    return;
  }
  await append(db, entry);
}

async function append(db: AuditDb, entry: NewAuditEntry): Promise<void> {
  const team = await db.team.update({ where: { id: entry.teamId }, data: { auditSeq: { increment: 1 } }, select: { auditSeq: true, auditHash: true } });
  const fields = {
    teamId: entry.teamId, seq: team.auditSeq, action: entry.action, actorId: entry.actorId,
    target: entry.target ?? null, sessionId: entry.sessionId ?? null, detail: entry.detail ?? {}, createdAt: new Date(),
  };
  const hash = auditEntryHash(team.auditHash, { ...fields, createdAt: fields.createdAt.toISOString() });
  await db.auditEntry.create({ data: { ...fields, detail: fields.detail as object, prevHash: team.auditHash, hash } });
  await db.team.update({ where: { id: entry.teamId }, data: { auditHash: hash }, select: { id: true } });
}
