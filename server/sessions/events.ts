// Append-only per-session event stream: the backbone every reader shares.
import type { Db } from '../db/client.ts';
import { eventHash } from './hash.ts';
import { eventPayloadSchemas, type Actor, type ActorKind, type EventType, type NewEvent, type SessionEvent } from './event-types.ts';

type EventRow = Awaited<ReturnType<Db['event']['findFirstOrThrow']>>;

export function toSessionEvent(row: EventRow): SessionEvent {
  return {
    id: row.id,
    sessionId: row.sessionId,
    seq: row.seq,
    type: row.type as EventType,
    payload: row.payload,
    actorKind: row.actorKind as ActorKind,
    actorId: row.actorId,
    createdAt: row.createdAt.toISOString(),
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

export class UnknownSessionError extends Error {
  constructor(sessionId: string) { super(`session ${sessionId} does not exist`); }
}

/**
 * Appends one event. The session row's lastSeq is incremented inside the transaction, which
 * takes that row's write lock: concurrent appends (in this process or another instance) queue
 * on it, so seq has no gaps or duplicates and each hash chains onto the one before.
 */
export async function appendEvent(db: Db, sessionId: string, event: NewEvent, actor: Actor): Promise<SessionEvent> {
  const payload = eventPayloadSchemas[event.type].parse(event.payload);
  const row = await db.$transaction(async (tx) => {
    const head = await tx.session.update({
      where: { id: sessionId },
      data: { lastSeq: { increment: 1 } },
      select: { lastSeq: true, lastHash: true },
    }).catch((err: { code?: string }) => {
      if (err.code === 'P2025') throw new UnknownSessionError(sessionId);
      throw err;
    });
    const createdAt = new Date();
    const hash = eventHash(head.lastHash, {
      sessionId, seq: head.lastSeq, type: event.type, actorKind: actor.kind, actorId: actor.id, payload, createdAt: createdAt.toISOString(),
    });
    const created = await tx.event.create({
      data: { sessionId, seq: head.lastSeq, type: event.type, payload, actorKind: actor.kind, actorId: actor.id, createdAt, prevHash: head.lastHash, hash },
    });
    await tx.session.update({ where: { id: sessionId }, data: { lastHash: hash } });
    return created;
  });
  return toSessionEvent(row);
}

export async function listEvents(db: Db, sessionId: string, afterSeq: number, limit = 500): Promise<SessionEvent[]> {
  const rows = await db.event.findMany({ where: { sessionId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take: limit });
  return rows.map(toSessionEvent);
}

/** Re-derives every hash; returns the first seq whose stored chain does not match, or null. */
export async function verifyChain(db: Db, sessionId: string): Promise<number | null> {
  let prev = '';
  let after = 0;
  for (;;) {
    const batch = await listEvents(db, sessionId, after, 1000);
    for (const e of batch) {
      const expected = eventHash(prev, { sessionId, seq: e.seq, type: e.type, actorKind: e.actorKind, actorId: e.actorId, payload: e.payload, createdAt: e.createdAt });
      if (e.prevHash !== prev || e.hash !== expected || e.seq !== after + 1) return e.seq;
      prev = e.hash;
      after = e.seq;
    }
    if (batch.length < 1000) return null;
  }
}
