// Terminal control between people in one session (issue 13): input and resizes are taken from
// one person at a time; the others watch; "take over" moves control, is recorded as a
// terminal.control event, and holds across sockets (a reload).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';
import type { SessionEvent } from '../sessions/event-types.ts';
import type { TerminalData, TerminalInfo } from './protocol.ts';

const open = (app: TestApp, cookie: string): Promise<Socket> => new Promise((resolve, reject) => {
  const s = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: app.url } });
  s.on('connect', () => resolve(s));
  s.on('connect_error', reject);
});

function screen(socket: Socket, terminalId: string) {
  let text = '';
  socket.on('terminal:data', (d: TerminalData) => { if (d.terminalId === terminalId) text += d.data; });
  return () => text;
}

describe('terminal control', () => {
  let app: TestApp;
  let cookies: Awaited<ReturnType<typeof setupAdminAndMember>>;
  let sessionId: string;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    cookies = await setupAdminAndMember(app);
    // The member's session, which the admin can open too.
    sessionId = (await createProvisionedSession(cookies.member)).id;
  });
  afterAll(async () => { await app?.close(); });

  it('hears only the controller, moves control on take over with an event, and keeps it across a reload', async () => {
    const owner = await open(app, cookies.memberCookie);
    const admin = await open(app, cookies.adminCookie);
    const opened = await owner.emitWithAck('terminal:open', { sessionId, cols: 80, rows: 24 });
    const terminalId = opened.terminal.id as string;
    expect(opened.terminal.controller).toEqual({ id: expect.any(String), name: 'Max Member' });
    const ownerId = opened.terminal.controller.id as string;
    const ownerScreen = screen(owner, terminalId);
    const adminScreen = screen(admin, terminalId);
    const refusals: string[] = [];
    admin.on('terminal:refused', (e: { terminalId: string; error: string }) => refusals.push(e.error));
    expect(await owner.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: true });
    expect(await admin.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: true });

    // The owner types; the admin watches the output, and the admin's own input and resize go nowhere.
    owner.emit('terminal:input', { sessionId, terminalId, data: 'echo owner-$((6*7))\r' });
    await expect.poll(adminScreen, { timeout: 10_000 }).toContain('owner-42');
    admin.emit('terminal:input', { sessionId, terminalId, data: 'echo admin-early-$((6*7))\r' });
    admin.emit('terminal:resize', { sessionId, terminalId, cols: 50, rows: 10 });
    await expect.poll(() => refusals.length).toBe(1);
    expect(refusals[0]).toMatch(/Someone else has control/);
    owner.emit('terminal:input', { sessionId, terminalId, data: 'echo fence-$((1+1))\r' });
    await expect.poll(ownerScreen, { timeout: 10_000 }).toContain('fence-2');
    expect(ownerScreen()).not.toContain('admin-early-42');
    expect(app.services.terminals.get(terminalId)).toMatchObject({ cols: 80, rows: 24 });

    // The admin takes over: recorded with from, to and who; everyone following sees it.
    const seen: SessionEvent[] = [];
    owner.on('session:event', (e: SessionEvent) => seen.push(e));
    await owner.emitWithAck('session:follow', { sessionId, afterSeq: 0 });
    expect(await admin.emitWithAck('terminal:takeover', { sessionId, terminalId })).toEqual({ ok: true });
    await expect.poll(() => seen.find((e) => e.type === 'terminal.control')).toMatchObject({
      actorKind: 'user',
      payload: { terminalId, from: ownerId, to: expect.any(String), message: 'Ada Admin took over Terminal 1 from Max Member.' },
    });
    const adminId = (seen.find((e) => e.type === 'terminal.control')!.payload as { to: string }).to;
    expect(seen.find((e) => e.type === 'terminal.control')!.actorId).toBe(adminId);
    expect(adminId).not.toBe(ownerId);

    // Now the admin is heard (input and size) and the owner is refused.
    const ownerRefusals: string[] = [];
    owner.on('terminal:refused', (e: { error: string }) => ownerRefusals.push(e.error));
    admin.emit('terminal:resize', { sessionId, terminalId, cols: 90, rows: 30 });
    admin.emit('terminal:input', { sessionId, terminalId, data: 'echo admin-$((6*7))\r' });
    await expect.poll(ownerScreen, { timeout: 10_000 }).toContain('admin-42');
    owner.emit('terminal:input', { sessionId, terminalId, data: 'echo owner-late-$((6*7))\r' });
    await expect.poll(() => ownerRefusals.length).toBe(1);
    admin.emit('terminal:input', { sessionId, terminalId, data: 'echo fence-$((2+2))\r' });
    await expect.poll(adminScreen, { timeout: 10_000 }).toContain('fence-4');
    expect(adminScreen()).not.toContain('owner-late-42');
    expect(app.services.terminals.get(terminalId)).toMatchObject({ cols: 90, rows: 30 });
    // Taking over what one already controls records nothing more.
    expect(await admin.emitWithAck('terminal:takeover', { sessionId, terminalId })).toEqual({ ok: true });

    // A reload (new sockets for both) lists the same controller, by name.
    owner.close();
    admin.close();
    const reloaded = await open(app, cookies.memberCookie);
    const listed = (await reloaded.emitWithAck('terminal:list', { sessionId })).terminals as TerminalInfo[];
    expect(listed.find((t) => t.id === terminalId)?.controller).toEqual({ id: adminId, name: 'Ada Admin' });
    const refusedAfterReload = new Promise((resolve) => reloaded.once('terminal:refused', (e: { terminalId: string }) => resolve(e.terminalId)));
    reloaded.emit('terminal:input', { sessionId, terminalId, data: 'echo owner-after-reload\r' });
    expect(await refusedAfterReload).toBe(terminalId);
    expect(await app.testDb.db.event.count({ where: { sessionId, type: 'terminal.control' } })).toBe(1);
    reloaded.close();
  }, 60_000);

  it('refuses a take over of a terminal of another session', async () => {
    const owner = await open(app, cookies.memberCookie);
    const opened = await owner.emitWithAck('terminal:open', { sessionId, cols: 80, rows: 24 });
    const otherSession = (await createProvisionedSession(cookies.admin)).id;
    const admin = await open(app, cookies.adminCookie);
    expect(await admin.emitWithAck('terminal:takeover', { sessionId: otherSession, terminalId: opened.terminal.id }))
      .toEqual({ ok: false, error: 'No such terminal in this session.' });
    expect(app.services.terminals.get(opened.terminal.id as string)?.controller).toBe(opened.terminal.controller.id);
    admin.close();
    owner.close();
  }, 30_000);
});
