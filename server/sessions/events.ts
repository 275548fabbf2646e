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

/** Head of each session's chain as this process last wrote it: saves a read per append. */
const heads = new WeakMap<Db, Map<string, { seq: number; hash: string }>>();
/** Appends to one session from this process go one at a time, in call order. */
const queues = new Map<string, Promise<unknown>>();
/** Another writer (another server instance) took the seq we meant to use: re-read and retry. */
const MAX_APPEND_ATTEMPTS = 8;

function serialized<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(sessionId) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const tail = next.catch(() => {});
  queues.set(sessionId, tail);
  void tail.then(() => { if (queues.get(sessionId) === tail) queues.delete(sessionId); });
  return next;
}

async function readHead(db: Db, sessionId: string) {
  const row = await db.session.findUnique({ where: { id: sessionId }, select: { lastSeq: true, lastHash: true } });
  if (!row) throw new UnknownSessionError(sessionId);
  return { seq: row.lastSeq, hash: row.lastHash };
}

const isConflict = (err: unknown) => ['P2002', 'P2025'].includes((err as { code?: string })?.code ?? '');

/**
 * Appends events in order, atomically. Optimistic: they take seq head+1… and the session row
 * moves from head to the last of them in one batch transaction. `@@unique([sessionId, seq])`
 * and the `lastSeq = head` condition make a concurrent writer elsewhere (another instance) fail
 * the whole batch, and this one re-reads the head and retries — so seq has no gaps or
 * duplicates and each hash chains onto the one before, without an interactive transaction.
 */
export async function appendEvents(db: Db, sessionId: string, items: { event: NewEvent; actor: Actor }[]): Promise<SessionEvent[]> {
  const checked = items.map(({ event, actor }) => ({ type: event.type, payload: eventPayloadSchemas[event.type].parse(event.payload), actor }));
  if (!checked.length) return [];
  let cache = heads.get(db);
  if (!cache) heads.set(db, (cache = new Map()));
  const known = cache;
  return serialized(sessionId, async () => {
    for (let attempt = 1; ; attempt++) {
      const head = known.get(sessionId) ?? (await readHead(db, sessionId));
      const createdAt = new Date();
      let prev = head.hash;
      const rows = checked.map((e, i) => {
        const seq = head.seq + 1 + i;
        const hash = eventHash(prev, { sessionId, seq, type: e.type, actorKind: e.actor.kind, actorId: e.actor.id, payload: e.payload, createdAt: createdAt.toISOString() });
        const row = { sessionId, seq, type: e.type, payload: e.payload, actorKind: e.actor.kind, actorId: e.actor.id, createdAt, prevHash: prev, hash };
        prev = hash;
        return row;
      });
      const last = rows.at(-1)!;
      try {
        const written = await db.$transaction([
          ...rows.map((data) => db.event.create({ data })),
          db.session.update({ where: { id: sessionId, lastSeq: head.seq }, data: { lastSeq: last.seq, lastHash: last.hash }, select: { id: true } }),
        ]);
        known.set(sessionId, { seq: last.seq, hash: last.hash });
        return (written.slice(0, rows.length) as EventRow[]).map(toSessionEvent);
      } catch (err) {
        known.delete(sessionId);
        if (isConflict(err) && attempt < MAX_APPEND_ATTEMPTS) continue;
        throw err;
      }
    }
  });
}

export async function appendEvent(db: Db, sessionId: string, event: NewEvent, actor: Actor): Promise<SessionEvent> {
  return (await appendEvents(db, sessionId, [{ event, actor }]))[0]!;
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
