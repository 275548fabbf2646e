// Retention for the team chain: entries older than the team's setting are deleted from the start
// of the chain, and the team records where the chain now begins (seq and hash of the last entry
// removed), so verification still checks every remaining link and still notices a missing one.
import type { Db } from '../db/client.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Returns how many entries were removed. Session event chains are not pruned (yet). */
export async function pruneTeamAudit(db: Db, teamId: string, now = new Date()): Promise<number> {
  return db.$transaction(async (tx) => {
    // Taking the head's lock first keeps an append from racing the prune.
    const team = await tx.team.update({ where: { id: teamId }, data: { auditSeq: { increment: 0 } }, select: { auditRetentionDays: true, auditBaseSeq: true } });
    if (!team.auditRetentionDays) return 0;
    const cutoff = new Date(now.getTime() - team.auditRetentionDays * DAY_MS);
    // The chain is cut at a seq, never through its middle: the newest old entry bounds the cut.
    const last = await tx.auditEntry.findFirst({ where: { teamId, seq: { gt: team.auditBaseSeq }, createdAt: { lt: cutoff } }, orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    if (!last?.seq) return 0;
    const removed = await tx.auditEntry.deleteMany({ where: { teamId, seq: { lte: last.seq } } });
    await tx.team.update({ where: { id: teamId }, data: { auditBaseSeq: last.seq, auditBaseHash: last.hash ?? '' }, select: { id: true } });
    return removed.count;
  }, { maxWait: 15_000 });
}
