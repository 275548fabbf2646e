// Event fan-out across instances: an event appended on instance A, seen on instance B two ways —
// received by a Socket.IO client following the session (the socket code a browser tab runs), and
// drawn in a real browser's page on B (the session's Activity list, timed by a MutationObserver).
// A is in process (so the bench appends directly); B is the production server with its pages, in
// a child process; both over the local PostgreSQL (a schema of their own) and Redis (a key prefix
// of their own). Needs `npm run build`.
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test TEST_REDIS_URL=redis://127.0.0.1:6379 \
//     node --import tsx bench/scale/fanout.ts            (EVENTS=300 by default; npm run bench:scale runs it too)
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { io as connect } from 'socket.io-client';
import { killHosts, OwnServer, tempDir } from '../../e2e/own-server.ts';
import { ApiClient, createProvisionedSession, setupAdminAndMember, startTestApp } from '../../test/support/app.ts';
import type { SessionEvent } from '../../server/sessions/event-types.ts';

const EVENTS = Number(process.env.EVENTS ?? 300);
const redis = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!process.env.TEST_DATABASE_URL) throw new Error('set TEST_DATABASE_URL (PostgreSQL)');
const base = tempDir('tether-bench-fanout-');
const common = {
  REDIS_URL: redis, TETHER_REDIS_PREFIX: `tether-bench:${randomBytes(4).toString('hex')}:`, TETHER_WORKSPACE_DISK_BYTES: '0',
  TETHER_WORKSPACES_DIR: path.join(base, 'workspaces'), TETHER_SECRET_KEY: randomBytes(32).toString('hex'),
};
const a = await startTestApp('postgres', { ...common, TETHER_INSTANCE_ID: 'bench-a' });
const b = await OwnServer.create((url) => ({
  dataDir: path.join(base, 'data-b'), env: { ...common, DATABASE_URL: a.testDb.url, TETHER_INSTANCE_ID: 'bench-b', TETHER_INSTANCE_URL: url },
}));
await b.start();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-webgl'] });
const now = () => performance.timeOrigin + performance.now();
const q = (xs: number[], p: number) => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1); };
try {
  const people = await setupAdminAndMember(a);
  // Created through B, so B runs its workspace and serves its page (A would redirect the browser).
  const session = await createProvisionedSession(new ApiClient(b.url, people.memberCookie), { kind: 'empty' }, 'fan-out');
  const sessionId = session.id;
  const member = await a.testDb.db.user.findFirstOrThrow({ where: { email: 'member@example.test' } });

  const socket = connect(b.url, { path: '/socket.io', transports: ['websocket'], forceNew: true, extraHeaders: { cookie: people.memberCookie, origin: b.url } });
  await new Promise<void>((resolve, reject) => { socket.on('connect', resolve); socket.on('connect_error', reject); });
  const received = new Map<number, number>();
  socket.on('session:event', (e: SessionEvent) => { received.set(e.seq, now()); });
  await socket.emitWithAck('session:follow', { sessionId, afterSeq: 0 });

  const context = await browser.newContext();
  const [name, value] = people.memberCookie.split('=') as [string, string];
  await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/' }]);
  const page = await context.newPage();
  await page.goto(`${b.url}/sessions/${sessionId}`);
  if (!page.url().startsWith(b.url)) throw new Error(`the page went to ${page.url()}, not B`);
  await page.getByRole('tab', { name: 'Activity' }).click();
  await page.getByRole('list', { name: 'Session events' }).waitFor({ timeout: 60_000 });
  // Each Activity row that appears, by seq, with the page's clock (epoch ms, as `now()` here).
  await page.evaluate(() => {
    const drawn: Record<number, number> = {};
    (window as unknown as { drawn: typeof drawn }).drawn = drawn;
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) {
        const m = n instanceof HTMLElement ? /^event-(\d+)$/.exec(n.id) : null;
        if (m) drawn[Number(m[1])] = performance.timeOrigin + performance.now();
      }
    }).observe(document.body, { childList: true, subtree: true });
  });

  const sent = new Map<number, number>();
  const load = loadavg()[0]!;
  for (let i = 0; i < EVENTS; i++) {
    const t0 = now();
    const e = await a.services.events.append(sessionId, { type: 'user.message', payload: { text: `m${i}` } }, { kind: 'user', id: member.id });
    sent.set(e.seq, t0);
    // One at a time, as a person or an agent step produces them: wait for the page to draw it.
    await page.waitForFunction((seq) => (window as unknown as { drawn: Record<number, number> }).drawn[seq] !== undefined, e.seq, { timeout: 30_000, polling: 5 });
  }
  const drawn = await page.evaluate(() => (window as unknown as { drawn: Record<number, number> }).drawn);
  const toSocket = [...sent].map(([seq, t]) => received.get(seq)! - t);
  const toPage = [...sent].map(([seq, t]) => drawn[seq]! - t);
  socket.close();
  console.log(`append on A → received on B's socket, ${EVENTS} events: p50 ${q(toSocket, 0.5)} ms, p95 ${q(toSocket, 0.95)} ms, max ${q(toSocket, 1)} ms (load avg ${load.toFixed(2)} at start)`);
  console.log(`append on A → drawn in a browser on B, ${EVENTS} events: p50 ${q(toPage, 0.5)} ms, p95 ${q(toPage, 0.95)} ms, max ${q(toPage, 1)} ms (load avg ${loadavg()[0]!.toFixed(2)} at the end)`);
} finally {
  await browser.close();
  await b.stop();
  await a.close();
  await killHosts(common.TETHER_WORKSPACES_DIR);
  rmSync(base, { recursive: true, force: true });
}
