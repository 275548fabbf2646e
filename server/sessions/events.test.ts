import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../../test/support/db.ts';
import { createLocalBus } from './bus.ts';
import { appendEvent, appendEvents, listEvents, verifyChain, UnknownSessionError } from './events.ts';
import { createEventStream } from './stream.ts';
import type { SessionEvent } from './event-types.ts';

async function seedSession(t: TestDb) {
  const team = await t.db.team.create({ data: { name: 't' } });
  const user = await t.db.user.create({ data: { email: `u${Math.random()}@x.test`, name: 'u' } });
  return t.db.session.create({ data: { title: 's', teamId: team.id, ownerId: user.id } });
}

describe.each(testProviders)('event stream on %s', (provider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(provider); });
  afterAll(async () => { await t?.cleanup(); });

  it('gives 100 concurrent appends seqs 1..100 with no gaps or duplicates, hash-chained', async () => {
    const s = await seedSession(t);
    await Promise.all(Array.from({ length: 100 }, (_, i) =>
      appendEvent(t.db, s.id, { type: 'user.message', payload: { text: `m${i}` } }, { kind: 'user', id: null })));
    const events = await listEvents(t.db, s.id, 0, 1000);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => (e.payload as { text: string }).text)).size).toBe(100);
    expect(await verifyChain(t.db, s.id)).toBeNull();
  });

  it('appends a batch atomically and contiguously, even amid concurrent single appends', async () => {
    const s = await seedSession(t);
    const one = (text: string) => appendEvent(t.db, s.id, { type: 'user.message', payload: { text } }, { kind: 'user', id: null });
    const batch = appendEvents(t.db, s.id, ['b1', 'b2', 'b3'].map((text) => ({ event: { type: 'user.message' as const, payload: { text } }, actor: { kind: 'agent' as const, id: null } })));
    const [, stored] = await Promise.all([one('a'), batch, one('c')]);
    expect(stored.map((e) => e.seq)).toEqual([stored[0]!.seq, stored[0]!.seq + 1, stored[0]!.seq + 2]);
    const all = await listEvents(t.db, s.id, 0);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await verifyChain(t.db, s.id)).toBeNull();
    // A bad payload anywhere in the batch writes nothing.
    await expect(appendEvents(t.db, s.id, [
      { event: { type: 'user.message', payload: { text: 'ok' } }, actor: { kind: 'user', id: null } },
      { event: { type: 'user.message', payload: { text: 7 } } as never, actor: { kind: 'user', id: null } },
    ])).rejects.toThrow();
    expect(await listEvents(t.db, s.id, 0)).toHaveLength(5);
  });

  it('detects a tampered event through the hash chain', async () => {
    const s = await seedSession(t);
    for (const text of ['a', 'b', 'c']) await appendEvent(t.db, s.id, { type: 'user.message', payload: { text } }, { kind: 'user', id: null });
    await t.db.event.update({ where: { sessionId_seq: { sessionId: s.id, seq: 2 } }, data: { payload: { text: 'forged' } } });
    expect(await verifyChain(t.db, s.id)).toBe(2);
  });

  it('rejects a payload that does not match its type, and an unknown session', async () => {
    const s = await seedSession(t);
    await expect(appendEvent(t.db, s.id, { type: 'user.message', payload: { text: 42 } } as never, { kind: 'user', id: null })).rejects.toThrow();
    await expect(appendEvent(t.db, 'nope', { type: 'user.message', payload: { text: 'x' } }, { kind: 'user', id: null })).rejects.toBeInstanceOf(UnknownSessionError);
    expect(await listEvents(t.db, s.id, 0)).toEqual([]);
  });

  it('follow() replays the backlog then live events, each exactly once and in order', async () => {
    const s = await seedSession(t);
    const stream = createEventStream(t.db, createLocalBus());
    for (let i = 0; i < 5; i++) await stream.append(s.id, { type: 'user.message', payload: { text: `old${i}` } }, { kind: 'user', id: null });
    const seen: SessionEvent[] = [];
    // Appends race the subscription: none may be lost or doubled.
    const racing = Promise.all(Array.from({ length: 20 }, (_, i) => stream.append(s.id, { type: 'user.message', payload: { text: `new${i}` } }, { kind: 'user', id: null })));
    const stop = await stream.follow(s.id, 2, (e) => seen.push(e));
    await racing;
    await stream.append(s.id, { type: 'user.message', payload: { text: 'last' } }, { kind: 'user', id: null });
    stop();
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 3));
  });
});
