import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';
import { LOST_TERMINAL_REASON } from '../sessions/terminal-recovery.ts';
import { REAUTHORIZE_MS } from './authorize.ts';
import type { TerminalData } from './protocol.ts';

const open = (app: TestApp, cookie: string): Promise<Socket> => new Promise((resolve, reject) => {
  const s = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: app.url } });
  s.on('connect', () => resolve(s));
  s.on('connect_error', reject);
});

/** Collects a terminal's output; `text` is what a client would have rendered. */
function collector(socket: Socket, terminalId: string) {
  const chunks: TerminalData[] = [];
  socket.on('terminal:data', (d: TerminalData) => { if (d.terminalId === terminalId) chunks.push(d); });
  return { chunks, text: () => chunks.map((c) => c.data).join(''), end: () => chunks.at(-1)?.end ?? 0 };
}

describe('terminals over Socket.IO', () => {
  let app: TestApp;
  let cookies: Awaited<ReturnType<typeof setupAdminAndMember>>;
  let sessionId: string;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    cookies = await setupAdminAndMember(app);
    sessionId = (await createProvisionedSession(cookies.member)).id;
  });
  afterAll(async () => { await app?.close(); });

  it('delivers the bytes written while a client was away exactly once, in order', async () => {
    const first = await open(app, cookies.memberCookie);
    const opened = await first.emitWithAck('terminal:open', { sessionId, cols: 80, rows: 24 });
    expect(opened.ok).toBe(true);
    const terminalId = opened.terminal.id as string;
    const a = collector(first, terminalId);
    expect(await first.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: true });
    // Numbered lines keep coming while the client disconnects and comes back.
    first.emit('terminal:input', { sessionId, terminalId, data: 'for i in $(seq 1 400); do echo line-$i; sleep 0.005; done; echo DONE-$((6*7))\r' });
    await expect.poll(() => a.text().includes('line-20'), { timeout: 10_000 }).toBe(true);
    first.close();
    const resumeFrom = a.end();

    await new Promise((r) => setTimeout(r, 300)); // output accumulates server-side meanwhile
    const second = await open(app, cookies.memberCookie);
    const b = collector(second, terminalId);
    expect(await second.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: resumeFrom })).toEqual({ ok: true });
    await expect.poll(() => b.text().includes('DONE-42'), { timeout: 15_000 }).toBe(true);
    second.close();

    expect(b.chunks[0]!.start).toBe(resumeFrom);
    for (let i = 1; i < b.chunks.length; i++) expect(b.chunks[i]!.start).toBe(b.chunks[i - 1]!.end);
    // eslint-disable-next-line no-control-regex -- terminal output carries escape sequences (bracketed paste)
    const plain = (a.text() + b.text()).replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '');
    const lines = plain.split(/[\r\n]+/).map((l) => /^line-(\d+)$/.exec(l)?.[1]).filter(Boolean).map(Number);
    expect(lines).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });

  it('refuses input to a terminal of another session and from another user', async () => {
    const owner = await open(app, cookies.memberCookie);
    const opened = await owner.emitWithAck('terminal:open', { sessionId, cols: 80, rows: 24 });
    const terminalId = opened.terminal.id as string;
    await expect(open(app, cookies.adminCookie.replace(/=.*/, '=forged'))).rejects.toThrow(/unauthorized/);
    const otherSession = (await createProvisionedSession(cookies.admin)).id;
    const admin = await open(app, cookies.adminCookie);
    // The admin's own session id with the member's terminal id: not that session's terminal.
    expect(await admin.emitWithAck('terminal:attach', { sessionId: otherSession, terminalId, fromOffset: null })).toEqual({ ok: false, error: 'No such terminal in this session.' });
    admin.close();
    owner.close();
  }, 30_000);

  it('lists a terminal that did not survive a restart as ended, says why on attach, and closes it without a second record', async () => {
    const socket = await open(app, cookies.memberCookie);
    const terminalId = '00000000-0000-4000-8000-00000000beef';
    app.services.terminals.markLost(sessionId, terminalId, LOST_TERMINAL_REASON);
    const listed = await socket.emitWithAck('terminal:list', { sessionId });
    expect(listed.terminals).toContainEqual({ id: terminalId, title: expect.any(String), exited: true, ended: LOST_TERMINAL_REASON, controller: null });
    expect(await socket.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: false, error: LOST_TERMINAL_REASON });
    const closedBefore = await app.testDb.db.event.count({ where: { sessionId, type: 'terminal.closed' } });
    expect(await socket.emitWithAck('terminal:close', { sessionId, terminalId })).toEqual({ ok: true });
    expect(await app.testDb.db.event.count({ where: { sessionId, type: 'terminal.closed' } })).toBe(closedBefore);
    expect((await socket.emitWithAck('terminal:list', { sessionId })).terminals.map((t: { id: string }) => t.id)).not.toContain(terminalId);
    socket.close();
  });

  it('keeps keystrokes in order when the access re-check falls due while they arrive', async () => {
    const socket = await open(app, cookies.memberCookie);
    const opened = await socket.emitWithAck('terminal:open', { sessionId, cols: 200, rows: 24 });
    const terminalId = opened.terminal.id as string;
    const out = collector(socket, terminalId);
    await socket.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null });
    await expect.poll(() => out.text().includes('$')).toBe(true);
    // The socket's sign-in and session checks are now stale: the first keystroke waits on the
    // database, here for 100 ms (a slow query), the later ones not.
    vi.useFakeTimers({ toFake: ['Date'] });
    const sessions = app.services.sessions;
    const get = sessions.get.bind(sessions);
    let calls = 0;
    sessions.get = async (...args) => {
      if (calls++ === 0) await new Promise((r) => setTimeout(r, 100));
      return get(...args);
    };
    try {
      vi.setSystemTime(Date.now() + REAUTHORIZE_MS + 1000);
      const word = 'ordered-0123456789abcdefghijklmnopqrstuvwxyz';
      // Typed, not pasted: later keystrokes arrive after the first check has finished, while others still wait on theirs.
      for (const key of `echo ${word}\r`) {
        socket.emit('terminal:input', { sessionId, terminalId, data: key });
        await new Promise((r) => setTimeout(r, 2));
      }
      await expect.poll(() => new RegExp(`[\r\n]${word}[\r\n]`).test(out.text()), { timeout: 10_000 }).toBe(true);
    } finally {
      sessions.get = get;
      vi.useRealTimers();
      socket.close();
    }
  });

  it('stopping the session kills every process of its workspace', async () => {
    const socket = await open(app, cookies.memberCookie);
    const opened = await socket.emitWithAck('terminal:open', { sessionId, cols: 80, rows: 24 });
    const terminalId = opened.terminal.id as string;
    const c = collector(socket, terminalId);
    await socket.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null });
    socket.emit('terminal:input', { sessionId, terminalId, data: '(setsid sleep 1000 &) ; nohup sleep 999 >/dev/null 2>&1 & echo started-$((1+1))\r' });
    await expect.poll(() => c.text().includes('started-2')).toBe(true);
    const ws = ((await cookies.member.query('sessions.get', { id: sessionId })).data as { workspace: { uid: number } }).workspace;
    const count = () => Number(execFileSync('sh', ['-c', `ps -o pid= -u ${ws.uid} | wc -l`], { encoding: 'utf8' }).trim());
    expect(count()).toBeGreaterThanOrEqual(2);
    expect((await cookies.member.mutate('sessions.stop', { id: sessionId })).error).toBeNull();
    await expect.poll(count, { timeout: 10_000 }).toBe(0);
    expect((await socket.emitWithAck('terminal:list', { sessionId })).terminals).toEqual([]);
    socket.close();
  }, 30_000);
});
