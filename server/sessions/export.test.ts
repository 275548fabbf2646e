import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../../test/support/db.ts';
import { appendEvents, listEvents } from './events.ts';
import { eventsAsJsonl } from './export.ts';

describe.each(testProviders)('event export on %s', (provider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(provider); });
  afterAll(async () => { await t?.cleanup(); });

  it('writes every event once, in seq order, one stored SessionEvent per line, past a page boundary', async () => {
    const team = await t.db.team.create({ data: { name: 't' } });
    const user = await t.db.user.create({ data: { email: `u${Math.random()}@x.test`, name: 'u' } });
    const s = await t.db.session.create({ data: { title: 's', teamId: team.id, ownerId: user.id } });
    for (let b = 0; b < 3; b++) {
      await appendEvents(t.db, s.id, Array.from({ length: 500 }, (_, i) => ({ event: { type: 'user.message' as const, payload: { text: `m${b * 500 + i}` } }, actor: { kind: 'user' as const, id: user.id } })));
    }
    const text = await eventsAsJsonl(t.db, s.id);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    expect(lines[0]).toEqual(JSON.parse(JSON.stringify((await listEvents(t.db, s.id, 0, 1))[0])));
    expect(lines[1499]).toMatchObject({ type: 'user.message', actorKind: 'user', actorId: user.id, payload: { text: 'm1499' }, createdAt: expect.any(String) });
    expect(await eventsAsJsonl(t.db, 'no-such-session')).toBe('');
  });
});
