// A browser opens a new session at once, while its workspace is still provisioning: changes made
// on disk once it is ready must still reach it as `files:changed` (they did not when the watch
// was only started for workspaces already ready at follow time).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';

let app: TestApp;
let cookie: string;
beforeAll(async () => {
  app = await startTestApp('sqlite');
  ({ adminCookie: cookie } = await setupAdminAndMember(app));
});
afterAll(async () => { await app?.close(); });

const open = (): Promise<Socket> => new Promise((resolve, reject) => {
  const s = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: app.url } });
  s.on('connect', () => resolve(s));
  s.on('connect_error', reject);
});

it('reports file changes to a browser that followed the session while its workspace was provisioning', async () => {
  const api = app.api.as(cookie);
  const created = await api.mutate('sessions.create', { title: 'followed early', source: { kind: 'empty' } });
  const sessionId = (created.data as { id: string }).id;
  const socket = await open();
  const changed: string[] = [];
  socket.on('files:changed', (e: { sessionId: string; paths: string[] }) => { if (e.sessionId === sessionId) changed.push(...e.paths); });
  expect(await socket.emitWithAck('session:follow', { sessionId, afterSeq: 0 })).toEqual({ ok: true });
  // The point of the test: the browser followed before the workspace was ready.
  expect(((await api.query('sessions.get', { id: sessionId })).data as { workspace: { status: string } }).workspace.status).toBe('provisioning');
  await expect.poll(async () => ((await api.query('sessions.get', { id: sessionId })).data as { workspace: { status: string } }).workspace.status, { timeout: 20_000 }).toBe('ready');

  // Written by a process inside the workspace, as a terminal would: only the watcher can report it.
  const ws = await app.services.workspaces.get((await app.services.db.workspace.findFirstOrThrow({ where: { sessions: { some: { id: sessionId } } } })));
  await expect.poll(async () => {
    await ws.exec(`touch from-the-terminal-${changed.length}.txt`);
    return changed.some((p) => p.startsWith('from-the-terminal'));
  }, { timeout: 15_000, interval: 1000 }).toBe(true);
  socket.close();
});
