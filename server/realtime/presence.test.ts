import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';
import type { PresenceEntry } from './protocol.ts';

const open = (app: TestApp, cookie: string): Promise<Socket> => new Promise((resolve, reject) => {
  const s = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: app.url } });
  s.on('connect', () => resolve(s));
  s.on('connect_error', reject);
});

describe('presence: who is in a session, and which file each has open', () => {
  let app: TestApp;
  let cookies: Awaited<ReturnType<typeof setupAdminAndMember>>;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    cookies = await setupAdminAndMember(app);
  });
  afterAll(async () => { await app?.close(); });

  it('tells everyone following the session, one entry per person, and forgets a closed browser', async () => {
    const sessionId = ((await cookies.member.mutate('sessions.create', { title: 'together' })).data as { id: string }).id;
    const owner = await open(app, cookies.memberCookie);
    const admin = await open(app, cookies.adminCookie);
    const seen: PresenceEntry[][] = [];
    owner.on('presence:changed', (e: { sessionId: string; people: PresenceEntry[] }) => { if (e.sessionId === sessionId) seen.push(e.people); });
    for (const s of [owner, admin]) expect(await s.emitWithAck('session:follow', { sessionId, afterSeq: 0 })).toEqual({ ok: true });

    expect(await owner.emitWithAck('presence:set', { sessionId, file: null })).toEqual({ ok: true, people: [{ userId: expect.any(String), name: 'Max Member', file: null }] });
    expect((await admin.emitWithAck('presence:set', { sessionId, file: 'src/cart.mjs' })).people).toHaveLength(2);
    await expect.poll(() => seen.at(-1)?.map((p) => [p.name, p.file])).toEqual([['Ada Admin', 'src/cart.mjs'], ['Max Member', null]]);

    admin.close();
    await expect.poll(() => seen.at(-1)?.map((p) => p.name)).toEqual(['Max Member']);
    expect(await owner.emitWithAck('presence:set', { sessionId })).toEqual({ ok: true, people: [] });
    await expect.poll(() => seen.at(-1)).toEqual([]);
    owner.close();
  });

  it("refuses presence in someone else's session, and nothing is announced", async () => {
    const sessionId = ((await cookies.admin.mutate('sessions.create', { title: 'admin only' })).data as { id: string }).id;
    const member = await open(app, cookies.memberCookie);
    expect(await member.emitWithAck('presence:set', { sessionId, file: 'x' })).toEqual({ ok: false, error: 'You do not have access to this session.' });
    expect(await member.emitWithAck('presence:set', { sessionId: '../x', file: 'x' })).toMatchObject({ ok: false });
    member.close();
  });

  it('a viewer member is present too, and drops out at once when removed from the session', async () => {
    const sessionId = ((await cookies.admin.mutate('sessions.create', { title: 'with a viewer' })).data as { id: string }).id;
    const memberId = ((await cookies.admin.query('admin.users')).data as { id: string; email: string }[]).find((u) => u.email === 'member@example.test')!.id;
    expect((await cookies.admin.mutate('members.add', { sessionId, userId: memberId, role: 'viewer' })).error).toBeNull();
    const admin = await open(app, cookies.adminCookie);
    const member = await open(app, cookies.memberCookie);
    const seen: PresenceEntry[][] = [];
    admin.on('presence:changed', (e: { sessionId: string; people: PresenceEntry[] }) => { if (e.sessionId === sessionId) seen.push(e.people); });
    expect(await admin.emitWithAck('session:follow', { sessionId, afterSeq: 0 })).toEqual({ ok: true });
    expect((await member.emitWithAck('presence:set', { sessionId, file: 'README.md' })).ok).toBe(true);
    await expect.poll(() => seen.at(-1)?.map((p) => [p.name, p.file])).toEqual([['Max Member', 'README.md']]);

    expect((await cookies.admin.mutate('members.remove', { sessionId, userId: memberId })).error).toBeNull();
    await expect.poll(() => seen.at(-1)).toEqual([]);
    expect(await member.emitWithAck('presence:set', { sessionId, file: 'README.md' })).toEqual({ ok: false, error: 'You do not have access to this session.' });
    admin.close();
    member.close();
  });
});
