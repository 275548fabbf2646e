// The memory procedures over real HTTP: a real server, database and sandboxed workspace. Every
// change is a memory.* event; another member cannot see or change a session's memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import { buildFromLog } from '../agent/context/offline.ts';
import { parseSessionLog } from '../agent/context/session-log.ts';

type Item = { id: string; kind: string; text: string; status: string; pinned: boolean; scope: string; version: number; origin: string; sourceSeqs: number[]; sources: { seq: number; type: string; excerpt: string }[] };
type Event = { seq: number; type: string; payload: Record<string, unknown>; actorId: string | null };

async function waitFor<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(testProviders)('memory API on %s', (provider) => {
  let app: TestApp;
  let member: ApiClient;
  let admin: ApiClient;
  beforeAll(async () => {
    app = await startTestApp(provider);
    ({ member, admin } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); });

  const list = async (sessionId: string) => (await member.query('memory.list', { sessionId })).data as Item[];
  const events = async (sessionId: string) => (await member.query('sessions.events', { sessionId })).data as Event[];

  it('lists what extraction found with the message it came from, and records every change a person makes as an event', async () => {
    const { id } = await createProvisionedSession(member);
    await member.mutate('agent.send', { sessionId: id, text: 'We must never commit generated files.' });
    const extracted = await waitFor(async () => (await list(id)).find((i) => i.kind === 'constraint'), 'the extracted constraint');
    expect(extracted).toMatchObject({ origin: 'rule', status: 'live', sources: [{ type: 'user.message', excerpt: 'We must never commit generated files.' }] });
    const userMessage = (await events(id)).find((e) => e.type === 'user.message')!;
    expect(extracted.sourceSeqs).toEqual([userMessage.seq]);

    const added = (await member.mutate('memory.add', { sessionId: id, kind: 'decision', text: 'Use pnpm, not npm' })).data as Item;
    expect(added).toMatchObject({ origin: 'user', version: 1, pinned: false, sourceSeqs: [] });
    expect((await member.mutate('memory.edit', { sessionId: id, itemId: added.id, text: 'Use pnpm, not npm or yarn' })).data).toMatchObject({ version: 2, text: 'Use pnpm, not npm or yarn' });
    expect((await member.mutate('memory.pin', { sessionId: id, itemId: added.id, pinned: true })).data).toMatchObject({ pinned: true });
    expect((await member.mutate('memory.promote', { sessionId: id, itemId: added.id })).data).toMatchObject({ scope: 'workspace' });
    expect((await member.mutate('memory.close', { sessionId: id, itemId: extracted.id, reason: 'generated files are checked in now' })).data).toMatchObject({ status: 'closed' });

    const memoryEvents = (await events(id)).filter((e) => e.type.startsWith('memory.') && e.actorId !== null);
    expect(memoryEvents.map((e) => e.type)).toEqual(['memory.added', 'memory.edited', 'memory.pinned', 'memory.promoted', 'memory.closed']);
    expect(memoryEvents[4]!.payload).toMatchObject({ itemId: extracted.id, reason: 'generated files are checked in now' });
    // Closed items stay listed (with why), never deleted.
    expect((await list(id)).find((i) => i.id === extracted.id)).toMatchObject({ status: 'closed' });
  });

  it('keeps a workspace item out of sessions of other workspaces, and unchangeable through them', async () => {
    const a = await createProvisionedSession(member);
    const added = (await member.mutate('memory.add', { sessionId: a.id, kind: 'goal', text: 'Ship the parser' })).data as Item;
    await member.mutate('memory.promote', { sessionId: a.id, itemId: added.id });
    const b = await createProvisionedSession(member);
    expect((await list(b.id)).map((i) => i.id)).not.toContain(added.id);
    // Nor can it be changed through a session it does not belong to.
    const r = await member.mutate('memory.edit', { sessionId: b.id, itemId: added.id, text: 'hijacked' });
    expect(r.error?.code).toBe('NOT_FOUND');
  });

  it('validates input in words', async () => {
    const { id } = await createProvisionedSession(member);
    const short = await member.mutate('memory.add', { sessionId: id, kind: 'goal', text: 'x' });
    expect(short.status).toBe(400);
    expect(short.error?.message).toBe('Write at least 3 characters');
    const kind = await member.mutate('memory.add', { sessionId: id, kind: 'wish', text: 'a real wish' });
    expect(kind.status).toBe(400);
  });

  it('keeps another member out of a session\'s memory, prompt reports and export', async () => {
    const { id } = await createProvisionedSession(member);
    const added = (await member.mutate('memory.add', { sessionId: id, kind: 'goal', text: 'Private goal' })).data as Item;
    await admin.mutate('admin.createUser', { email: 'other-mem@example.test', name: 'Olga', password: 'olga password 1' });
    const login = await app.api.mutate('auth.login', { email: 'other-mem@example.test', password: 'olga password 1' });
    const olga = app.api.as(login.setCookie[0]!.split(';')[0]);
    for (const [path, input] of [['memory.list', { sessionId: id }], ['memory.promptReports', { sessionId: id }], ['memory.exportEvents', { sessionId: id }]] as const) {
      expect((await olga.query(path, input)).error?.code).toBe('NOT_FOUND');
    }
    expect((await olga.mutate('memory.edit', { sessionId: id, itemId: added.id, text: 'changed by Olga' })).error?.code).toBe('NOT_FOUND');
    expect((await olga.mutate('memory.close', { sessionId: id, itemId: added.id })).error?.code).toBe('NOT_FOUND');
    expect((await list(id)).find((i) => i.id === added.id)).toMatchObject({ text: 'Private goal', status: 'live' });
  });

  it('exports the session\'s events as JSON Lines that context:build reads back, and lists a prompt report per model call', async () => {
    const { id } = await createProvisionedSession(member);
    await member.mutate('agent.send', { sessionId: id, text: 'Always run the linter before committing.' });
    const reports = await waitFor(async () => {
      const r = (await member.query('memory.promptReports', { sessionId: id })).data as { step: number; report: { totalTokens: number; sections: unknown[] } }[];
      return r.length ? r : undefined;
    }, 'a prompt report');
    expect(reports[0]).toMatchObject({ step: 1, report: { totalTokens: expect.any(Number) } });
    expect(reports[0]!.report.sections.length).toBeGreaterThan(0);
    const exported = (await member.query('memory.exportEvents', { sessionId: id })).data as { filename: string; jsonl: string };
    expect(exported.filename).toMatch(/^test-session-[a-z0-9]+\.events\.jsonl$/);
    const lines = exported.jsonl.trimEnd().split('\n').map((l) => JSON.parse(l) as Event);
    expect(lines.map((e) => e.seq)).toEqual((await events(id)).map((e) => e.seq));
    expect(lines[0]).toMatchObject({ seq: 1, type: 'session.created', actorKind: expect.any(String), createdAt: expect.any(String) });
    // What context:build does with the file: the extracted rule and a person's pinned edit come back.
    const added = (await member.mutate('memory.add', { sessionId: id, kind: 'decision', text: 'Use vitest for tests' })).data as Item;
    await member.mutate('memory.pin', { sessionId: id, itemId: added.id, pinned: true });
    const again = ((await member.query('memory.exportEvents', { sessionId: id })).data as { jsonl: string }).jsonl;
    const built = buildFromLog(parseSessionLog(again), 8000);
    expect(built.memory).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'constraint', text: 'Always run the linter before committing.', status: 'live' }),
      expect.objectContaining({ kind: 'decision', text: 'Use vitest for tests', pinned: true }),
    ]));
  });
});
