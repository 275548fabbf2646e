// A socket that only listens (terminal output streaming in, nothing sent) must still be cut off
// the moment its user's sign-in ends or its rights shrink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { cookieFrom, createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import type { TerminalData } from './protocol.ts';

const open = (app: TestApp, cookie: string): Promise<Socket> => new Promise((resolve, reject) => {
  const s = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: app.url } });
  s.on('connect', () => resolve(s));
  s.on('connect_error', reject);
});

/** A socket attached to a terminal that prints a line every 50 ms until the test ends. */
async function watchTicker(app: TestApp, cookie: string, sessionId: string, terminalId: string) {
  const socket = await open(app, cookie);
  let received = 0;
  let disconnectedAt = 0;
  let reason = '';
  socket.on('terminal:data', (d: TerminalData) => { if (d.terminalId === terminalId) received += d.data.length; });
  socket.on('disconnect', (r) => { reason = r; disconnectedAt = Date.now(); });
  expect(await socket.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: true });
  await expect.poll(() => received, { timeout: 15_000 }).toBeGreaterThan(0);
  return { socket, received: () => received, disconnectedAt: () => disconnectedAt, reason: () => reason };
}

async function startTicker(app: TestApp, cookie: string, sessionId: string): Promise<string> {
  const socket = await open(app, cookie);
  const opened = await socket.emitWithAck('terminal:open', { sessionId, cols: 80, rows: 24 });
  expect(opened.ok).toBe(true);
  const terminalId = opened.terminal.id as string;
  socket.emit('terminal:input', { sessionId, terminalId, data: 'while true; do echo tick; sleep 0.05; done\r' });
  await new Promise((r) => setTimeout(r, 200));
  socket.close();
  return terminalId;
}

describe('sockets follow changes to their user\'s access at once', () => {
  let app: TestApp;
  let admin: ApiClient;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    ({ admin } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); });

  async function newUser(email: string) {
    const created = await admin.mutate('admin.createUser', { email, name: 'Someone', password: 'a long password 1' });
    expect(created.error).toBeNull();
    const sign = async () => cookieFrom(await app.api.mutate('auth.login', { email, password: 'a long password 1' }))!;
    return { id: (created.data as { id: string }).id, sign };
  }

  it('disconnects a disabled user\'s socket while it is receiving terminal output', async () => {
    const user = await newUser('disabled@example.test');
    const cookie = await user.sign();
    const session = await createProvisionedSession(app.api.as(cookie));
    const terminalId = await startTicker(app, cookie, session.id);
    const watcher = await watchTicker(app, cookie, session.id, terminalId);

    const disabledAt = Date.now();
    expect((await admin.mutate('admin.setDisabled', { userId: user.id, disabled: true })).error).toBeNull();
    await expect.poll(() => watcher.disconnectedAt(), { timeout: 5_000 }).toBeGreaterThan(0);
    expect(watcher.disconnectedAt() - disabledAt).toBeLessThan(5_000);
    expect(watcher.reason()).toBe('io server disconnect');
    const after = watcher.received();
    await new Promise((r) => setTimeout(r, 500));
    expect(watcher.received()).toBe(after);
    await expect(open(app, cookie)).rejects.toThrow(/unauthorized/);
  });

  it('disconnects the socket of a sign-in that signed out, and only that one', async () => {
    const user = await newUser('leaver@example.test');
    const laptop = await user.sign();
    const phone = await user.sign();
    const session = await createProvisionedSession(app.api.as(laptop));
    const terminalId = await startTicker(app, laptop, session.id);
    const onLaptop = await watchTicker(app, laptop, session.id, terminalId);
    const onPhone = await watchTicker(app, phone, session.id, terminalId);

    expect((await app.api.as(laptop).mutate('auth.logout')).status).toBe(200);
    await expect.poll(() => onLaptop.disconnectedAt(), { timeout: 5_000 }).toBeGreaterThan(0);
    const phoneSoFar = onPhone.received();
    await expect.poll(() => onPhone.received(), { timeout: 5_000 }).toBeGreaterThan(phoneSoFar);
    expect(onPhone.socket.connected).toBe(true);
    onPhone.socket.close();
  });

  it('stops streaming a session the user may no longer see after losing the admin role', async () => {
    const owner = await newUser('owner@example.test');
    const ownerCookie = await owner.sign();
    const session = await createProvisionedSession(app.api.as(ownerCookie));
    const terminalId = await startTicker(app, ownerCookie, session.id);
    const second = await newUser('second-admin@example.test');
    expect((await admin.mutate('admin.setRole', { userId: second.id, role: 'admin' })).error).toBeNull();
    const secondCookie = await second.sign();
    const watcher = await watchTicker(app, secondCookie, session.id, terminalId);

    expect((await admin.mutate('admin.setRole', { userId: second.id, role: 'member' })).error).toBeNull();
    await new Promise((r) => setTimeout(r, 1_000));
    const settled = watcher.received();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(watcher.received()).toBe(settled);
    expect(watcher.socket.connected).toBe(true); // still signed in: only the foreign session is gone
    watcher.socket.close();
  });
});
