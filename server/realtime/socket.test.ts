import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';
import type { SessionEvent } from '../sessions/event-types.ts';

function open(app: TestApp, opts: { cookie?: string; origin?: string }): Promise<Socket> {
  const socket = connect(app.url, {
    path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true,
    extraHeaders: { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(opts.origin ? { origin: opts.origin } : {}) },
  });
  return new Promise((resolve, reject) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', (err) => { socket.close(); reject(err); });
  });
}

describe('Socket.IO authorization and the live event stream', () => {
  let app: TestApp;
  let cookies: Awaited<ReturnType<typeof setupAdminAndMember>>;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    cookies = await setupAdminAndMember(app);
  });
  afterAll(async () => { await app?.close(); });

  it('refuses a connection without a session cookie', async () => {
    await expect(open(app, { origin: app.url })).rejects.toThrow(/unauthorized/);
  });

  it('refuses a connection from another origin, even with a valid cookie', async () => {
    await expect(open(app, { cookie: cookies.memberCookie, origin: 'http://evil.example' })).rejects.toThrow();
  });

  it('streams backlog then live events to the owner, exactly once, and resumes from a seq', async () => {
    const { data } = await cookies.member.mutate('sessions.create', { title: 'live' });
    const sessionId = (data as { id: string }).id;
    const socket = await open(app, { cookie: cookies.memberCookie, origin: app.url });
    const seen: SessionEvent[] = [];
    socket.on('session:event', (e: SessionEvent) => seen.push(e));
    expect(await socket.emitWithAck('session:follow', { sessionId, afterSeq: 0 })).toEqual({ ok: true });
    const hello = await app.services.events.append(sessionId, { type: 'user.message', payload: { text: 'hello' } }, { kind: 'user', id: null });
    await expect.poll(() => seen.some((e) => e.seq === hello.seq)).toBe(true);
    // Every seq from 1 up, none twice (workspace provisioning events interleave with ours).
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(seen[0]?.type).toBe('session.created');
    socket.close();

    const again = await open(app, { cookie: cookies.memberCookie, origin: app.url });
    const resumed: SessionEvent[] = [];
    again.on('session:event', (e: SessionEvent) => resumed.push(e));
    const away = await app.services.events.append(sessionId, { type: 'user.message', payload: { text: 'while away' } }, { kind: 'user', id: null });
    await again.emitWithAck('session:follow', { sessionId, afterSeq: hello.seq });
    await expect.poll(() => resumed.some((e) => e.seq === away.seq)).toBe(true);
    expect(resumed[0]!.seq).toBe(hello.seq + 1);
    expect(resumed.filter((e) => e.type === 'user.message').map((e) => (e.payload as { text: string }).text)).toEqual(['while away']);
    again.close();
  });

  it("refuses to follow someone else's session and rejects malformed input", async () => {
    const { data } = await cookies.admin.mutate('sessions.create', { title: 'admin only' });
    const socket = await open(app, { cookie: cookies.memberCookie, origin: app.url });
    const leaked: SessionEvent[] = [];
    socket.on('session:event', (e: SessionEvent) => leaked.push(e));
    expect(await socket.emitWithAck('session:follow', { sessionId: (data as { id: string }).id, afterSeq: 0 }))
      .toEqual({ ok: false, error: 'You do not have access to this session.' });
    expect(await socket.emitWithAck('session:follow', { sessionId: '../etc', afterSeq: -1 })).toMatchObject({ ok: false });
    expect(leaked).toEqual([]);
    socket.close();
  });
});
