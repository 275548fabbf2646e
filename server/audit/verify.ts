// Re-derives both kinds of chain (a team's audit entries, a session's events) and names the
// first record that does not match: edited, reordered or missing.
import type { Db } from '../db/client.ts';
import { verifyChain } from '../sessions/events.ts';
import { auditEntryHash } from './hash.ts';

export interface ChainBreak {
  /** The first record that does not verify (or, for a missing tail, the last one present). */
  seq: number;
  id: string | null;
  reason: string;
}

export interface ChainReport {
  chain: 'team' | 'session';
  teamId: string;
  sessionId: string | null;
  records: number;
  broken: ChainBreak | null;
}

const BATCH = 1000;

export async function verifyTeamChain(db: Db, teamId: string): Promise<ChainReport> {
  const team = await db.team.findUniqueOrThrow({ where: { id: teamId }, select: { auditSeq: true, auditHash: true, auditBaseSeq: true, auditBaseHash: true } });
  const report = (records: number, broken: ChainBreak | null): ChainReport => ({ chain: 'team', teamId, sessionId: null, records, broken });
  let prev = team.auditBaseHash;
  let after = team.auditBaseSeq;
  let lastId: string | null = null;
  let records = 0;
  for (;;) {
    const batch = await db.auditEntry.findMany({ where: { teamId, seq: { gt: after } }, orderBy: { seq: 'asc' }, take: BATCH });
    for (const e of batch) {
      const seq = e.seq!;
      if (seq !== after + 1) return report(records, { seq, id: e.id, reason: `entry ${after + 1} is missing before this one` });
      if (e.prevHash !== prev) return report(records, { seq, id: e.id, reason: 'its prevHash does not match the entry before it (reordered or the one before was replaced)' });
      const expected = auditEntryHash(prev, {
        teamId, seq, action: e.action, actorId: e.actorId, target: e.target, sessionId: e.sessionId, detail: e.detail, createdAt: e.createdAt.toISOString(),
      });
      if (e.hash !== expected) return report(records, { seq, id: e.id, reason: 'its content does not match its hash (edited)' });
      prev = e.hash;
      after = seq;
      lastId = e.id;
      records++;
    }
    if (batch.length < BATCH) break;
  }
  if (after !== team.auditSeq || prev !== team.auditHash) {
    return report(records, { seq: after, id: lastId, reason: `the chain ends at ${after} but the team's head says ${team.auditSeq}: later entries are missing` });
  }
  return report(records, null);
}

export async function verifySessionChain(db: Db, sessionId: string): Promise<ChainReport> {
  const session = await db.session.findUniqueOrThrow({ where: { id: sessionId }, select: { teamId: true, lastSeq: true, lastHash: true } });
  const report = (records: number, broken: ChainBreak | null): ChainReport => ({ chain: 'session', teamId: session.teamId, sessionId, records, broken });
  const firstBad = await verifyChain(db, sessionId);
  if (firstBad !== null) {
    const row = await db.event.findUnique({ where: { sessionId_seq: { sessionId, seq: firstBad } }, select: { id: true } });
    const before = await db.event.count({ where: { sessionId, seq: { lt: firstBad } } });
    const missing = before !== firstBad - 1;
    return report(before, { seq: firstBad, id: row?.id ?? null, reason: missing ? `event ${before + 1} is missing before this one` : 'its content or position does not match its hash' });
  }
  const [last] = await listEventsTail(db, sessionId);
  const records = last?.seq ?? 0;
  if (records !== session.lastSeq || (last?.hash ?? '') !== session.lastHash) {
    return report(records, { seq: records, id: last?.id ?? null, reason: `the chain ends at ${records} but the session's head says ${session.lastSeq}: later events are missing` });
  }
  return report(records, null);
}

async function listEventsTail(db: Db, sessionId: string) {
  return db.event.findMany({ where: { sessionId }, orderBy: { seq: 'desc' }, take: 1, select: { id: true, seq: true, hash: true } });
}

/** Every team chain and every session chain the database holds (or those of one team). */
export async function verifyAll(db: Db, opts: { teamId?: string; sessionId?: string } = {}): Promise<ChainReport[]> {
  if (opts.sessionId) return [await verifySessionChain(db, opts.sessionId)];
  const teams = await db.team.findMany({ where: opts.teamId ? { id: opts.teamId } : {}, select: { id: true }, orderBy: { createdAt: 'asc' } });
  const reports: ChainReport[] = [];
  for (const t of teams) {
    reports.push(await verifyTeamChain(db, t.id));
    const sessions = await db.session.findMany({ where: { teamId: t.id }, select: { id: true }, orderBy: { createdAt: 'asc' } });
    for (const s of sessions) reports.push(await verifySessionChain(db, s.id));
  }
  return reports;
}

