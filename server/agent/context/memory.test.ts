// MemoryStore on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): every
// change is a memory.* event, supersession closes with a link, workspace items follow sessions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBus } from '../../sessions/bus.ts';
import { createEventStream } from '../../sessions/stream.ts';
import { eventsOf, seedSession } from '../../../test/support/agent-harness.ts';
import { createTestDb, testProviders, type TestDb } from '../../../test/support/db.ts';
import { SessionLog } from '../../../test/support/session-log.ts';
import { extractFromEvents } from './extract.ts';
import { MemoryItemNotFoundError, MemoryStore } from './memory.ts';

describe.each(testProviders)('MemoryStore on %s', (provider) => {
  let t: TestDb;
  let store: MemoryStore;
  beforeAll(async () => {
    t = await createTestDb(provider);
    store = new MemoryStore(t.db, createEventStream(t.db, createLocalBus()));
  });
  afterAll(async () => { await t.cleanup(); });

  const memoryEvents = async (sessionId: string) => (await eventsOf(t, sessionId)).filter((e) => e.type.startsWith('memory.')).map((e) => ({ type: e.type, actor: e.actorId, payload: e.payload }));

  it('adds, edits, pins and closes items; each change is an event by whoever made it', async () => {
    const { sessionId, userId } = await seedSession(t);
    const me = { kind: 'user' as const, id: userId };
    const a = await store.add(sessionId, { kind: 'constraint', text: 'Never use eval.' }, me);
    await store.edit(sessionId, a.id, 'Never use eval or new Function.', me);
    await store.pin(sessionId, a.id, true, me);
    const b = await store.add(sessionId, { kind: 'goal', text: 'Ship the CSV importer.' }, me);
    await store.close(sessionId, b.id, 'shipped', me);

    expect(await store.list(sessionId)).toMatchObject([{ id: a.id, text: 'Never use eval or new Function.', pinned: true, version: 2, status: 'live' }]);
    expect((await store.list(sessionId, { includeClosed: true })).map((i) => [i.text, i.status, i.closedReason])).toEqual([
      ['Never use eval or new Function.', 'live', null],
      ['Ship the CSV importer.', 'closed', 'shipped'],
    ]);
    expect(await memoryEvents(sessionId)).toEqual([
      { type: 'memory.added', actor: userId, payload: expect.objectContaining({ itemId: a.id, kind: 'constraint', text: 'Never use eval.', origin: 'user' }) },
      { type: 'memory.edited', actor: userId, payload: { itemId: a.id, text: 'Never use eval or new Function.', version: 2 } },
      { type: 'memory.pinned', actor: userId, payload: { itemId: a.id, pinned: true } },
      { type: 'memory.added', actor: userId, payload: expect.objectContaining({ itemId: b.id, kind: 'goal' }) },
      { type: 'memory.closed', actor: userId, payload: { itemId: b.id, reason: 'shipped' } },
    ]);
  });

  it('stores extracted candidates; a superseded decision is closed, linked and kept', async () => {
    const { sessionId } = await seedSession(t);
    const log = new SessionLog();
    log.say('Use Postgres for storage.').end();
    const first = await store.applyCandidates(sessionId, extractFromEvents(log.events, []));
    const since = log.events.length + 1;
    log.say('Switch to SQLite after all.').end();
    const second = await store.applyCandidates(sessionId, extractFromEvents(log.events, await store.list(sessionId, { includeClosed: true }), { sinceSeq: since }));
    const sqlite = second.added[0]!;
    expect(second.closed).toMatchObject([{ id: first.added[0]!.id, status: 'closed', supersededBy: sqlite.id }]);
    expect((await store.list(sessionId)).map((i) => i.text)).toEqual(['Switch to SQLite after all.']);
    expect((await store.list(sessionId, { includeClosed: true })).map((i) => [i.text, i.status, i.sourceSeqs, i.origin])).toEqual([
      ['Use Postgres for storage.', 'closed', [1], 'rule'],
      ['Switch to SQLite after all.', 'live', [since], 'rule'],
    ]);
    expect((await memoryEvents(sessionId)).map((e) => e.type)).toEqual(['memory.added', 'memory.added', 'memory.closed']);
    expect((await memoryEvents(sessionId))[2]!.payload).toMatchObject({ itemId: first.added[0]!.id, supersededBy: sqlite.id });
  });

  it('a promoted item follows the workspace\'s other sessions, and another session cannot touch a session item', async () => {
    const one = await seedSession(t);
    const ws = await t.db.workspace.create({ data: { teamId: one.teamId, source: 'empty', uid: 70_000 + Math.floor(Math.random() * 10_000) } });
    await t.db.session.update({ where: { id: one.sessionId }, data: { workspaceId: ws.id } });
    const two = await t.db.session.create({ data: { title: 's2', teamId: one.teamId, ownerId: one.userId, workspaceId: ws.id } });
    const stranger = await seedSession(t);
    const me = { kind: 'user' as const, id: one.userId };
    const durable = await store.add(one.sessionId, { kind: 'decision', text: 'Deploy with Docker.' }, me);
    const local = await store.add(one.sessionId, { kind: 'goal', text: 'Try a spike.' }, me);
    await store.promote(one.sessionId, durable.id, me);

    expect((await store.list(two.id)).map((i) => [i.text, i.scope])).toEqual([['Deploy with Docker.', 'workspace']]);
    await expect(store.edit(two.id, local.id, 'x', me)).rejects.toBeInstanceOf(MemoryItemNotFoundError);
    await expect(store.pin(stranger.sessionId, durable.id, true, me)).rejects.toBeInstanceOf(MemoryItemNotFoundError);
    expect((await memoryEvents(one.sessionId)).at(-1)).toEqual({ type: 'memory.promoted', actor: one.userId, payload: { itemId: durable.id, workspaceId: ws.id } });
  });
});
