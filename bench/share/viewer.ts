// A reviewer opening a shared session of 10,000 events, in a real browser against a real server:
//   node --import tsx bench/share/viewer.ts
// 1. first render: from navigation to /s/<token> until the session's heading and the first
//    timeline entry are on screen;
// 2. fully loaded: until the scrubber's maximum is the last seq and the last entry is rendered;
// 3. scrub: the slider set to random positions; each time from the change until the open file
//    shows that position's content (files come from 40 real checkpoints), p50/p95 over ROUNDS.
// Needs a production build (`npm run build`) and root (the sandbox). In-process server on a
// loopback port with a throwaway data dir; everything it starts it stops.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { parseConfig } from '../../server/config.ts';
import { createHttpServer, createPageHandler } from '../../server/http.ts';
import { log } from '../../server/log.ts';
import { createServices, egressOptions } from '../../server/services.ts';
import type { NewEvent } from '../../server/sessions/event-types.ts';
import { createLocalProvider } from '../../server/workspace/local-provider.ts';
import { ApiClient, cookieFrom, createProvisionedSession } from '../../test/support/app.ts';
import { createTestDb } from '../../test/support/db.ts';

const EVENTS = Number(process.env.EVENTS ?? 10_000);
const CHECKPOINTS = Number(process.env.CHECKPOINTS ?? 40);
const ROUNDS = Number(process.env.ROUNDS ?? 40);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (n=${xs.length})`;

const testDb = await createTestDb('sqlite');
const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-bench-share-'));
const config = parseConfig({ TETHER_DATA_DIR: dataDir, PORT: '0', TETHER_LOG_LEVEL: 'warn', NODE_ENV: 'production' });
const provider = await createLocalProvider({
  dataDir, workspacesDir: config.TETHER_WORKSPACES_DIR, diskQuotaBytes: config.TETHER_WORKSPACE_DISK_BYTES,
  unsafeNoSandbox: false, limits: config.sandboxLimits, log, egress: egressOptions(config),
});
const services = createServices(config, log, testDb.db, provider);
const { server, io } = createHttpServer(services, await createPageHandler(services.config));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });

try {
  const anon = new ApiClient(url);
  const admin = anon.as(cookieFrom(await anon.mutate('auth.setup', { email: 'a@example.test', name: 'Ada', password: 'benchmark password' })));
  const session = await createProvisionedSession(admin, { kind: 'empty' }, 'Ten thousand events');
  const row = await testDb.db.workspace.findUniqueOrThrow({ where: { id: session.workspace.id } });
  const workspace = await services.workspaces.get(row);

  // The history: a file rewritten before each of CHECKPOINTS real checkpoints, spread over
  // EVENTS events of the usual kinds (messages, tool calls and results with diffs, commands).
  const spacing = Math.floor(EVENTS / CHECKPOINTS);
  const checkpointAt = new Map<number, number>(); // seq of the checkpoint event → version it recorded
  let version = 0;
  const runId = 'bench-run';
  const start = (await testDb.db.session.findUniqueOrThrow({ where: { id: session.id } })).lastSeq;
  const batch: NewEvent[] = [];
  const flush = async () => { if (batch.length) await services.events.appendMany(session.id, batch.splice(0).map((event) => ({ event, actor: { kind: 'agent', id: null } }))); };
  for (let seq = start + 1; seq <= EVENTS; seq++) {
    const i = seq - start;
    if (i % spacing === 0 && version < CHECKPOINTS) {
      await flush();
      await workspace.files.write('notes.txt', `version ${version}\n`);
      const snap = await workspace.snapshot(`before step ${version}`);
      checkpointAt.set(seq, version);
      version++;
      batch.push({ type: 'agent.checkpoint', payload: { runId, step: i, callId: `call-${i}`, checkpointId: snap.id, label: snap.label, durationMs: 1 } });
      continue;
    }
    const kind = i % 4;
    if (kind === 0) batch.push({ type: 'agent.message', payload: { runId, step: i, text: `Step ${i}: looking at the code and deciding what to change next.`, route: 'compat:bench' } });
    else if (kind === 1) batch.push({ type: 'agent.tool.requested', payload: { runId, step: i, callId: `call-${i}`, tool: 'edit_file', input: { path: 'src/app.ts', oldString: 'a', newString: 'b' } } });
    else if (kind === 2) batch.push({ type: 'agent.tool.result', payload: { runId, callId: `call-${i}`, tool: 'edit_file', ok: true, output: 'Edited src/app.ts', detail: { path: 'src/app.ts', diff: `--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1,3 +1,3 @@\n line one\n-const x = ${i - 1};\n+const x = ${i};\n line three` }, durationMs: 3 } });
    else batch.push({ type: 'terminal.command', payload: { terminalId: 't', command: `npm test -- --grep step-${i}`, cwd: '/workspace', exitCode: 0 } });
    if (batch.length >= 500) await flush();
  }
  await flush();
  await workspace.files.write('notes.txt', 'version live\n');
  const lastSeq = (await testDb.db.session.findUniqueOrThrow({ where: { id: session.id } })).lastSeq;
  const { token } = (await admin.mutate('share.create', { sessionId: session.id, scope: 'view', expiresInHours: 1 })).data as { token: string };

  const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
  const t0 = performance.now();
  await page.goto(`${url}/s/${token}`);
  await page.getByRole('heading', { name: 'Ten thousand events' }).waitFor();
  await page.getByRole('region', { name: 'Timeline' }).getByRole('listitem').first().waitFor();
  const firstRender = performance.now() - t0;
  const slider = page.getByRole('slider', { name: 'Timeline position' });
  await page.waitForFunction((last) => Number(document.querySelector<HTMLInputElement>('#share-position')?.max) === last, lastSeq, { timeout: 120_000, polling: 20 });
  await page.getByRole('region', { name: 'Timeline' }).getByRole('listitem', { name: new RegExp(`^#${lastSeq} `) }).waitFor();
  const fullyLoaded = performance.now() - t0;
  const rendered = await page.getByRole('region', { name: 'Timeline' }).getByRole('listitem').count();

  await page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'notes.txt' }).getByRole('button').click();
  const file = page.getByRole('region', { name: 'File notes.txt' });
  await file.getByText('version live').waitFor();
  const sorted = [...checkpointAt.keys()].sort((a, b) => a - b);
  const expectAt = (pos: number) => { const cp = sorted.find((s) => s >= pos); return cp === undefined ? 'version live' : `version ${checkpointAt.get(cp)}`; };
  const scrubs: number[] = [];
  const cold: number[] = [];
  const seen = new Set<number>();
  for (let r = 0; r < ROUNDS; r++) {
    let pos = 1 + Math.floor(Math.random() * (lastSeq - 1));
    if (expectAt(pos) === (await file.textContent())?.match(/version \S+/)?.[0]) pos = Math.max(1, pos - spacing);
    const want = expectAt(pos);
    const cp = sorted.find((s) => s >= pos) ?? -1;
    const s0 = performance.now();
    await slider.evaluate((el, v) => {
      const input = el as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(v));
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, pos);
    await page.waitForFunction((w) => document.querySelector('.share-file-content')?.textContent?.startsWith(w) ?? false, want, { polling: 'raf' });
    const ms = performance.now() - s0;
    (seen.has(cp) ? scrubs : cold).push(ms);
    seen.add(cp);
  }
  // The server's part of a scrub alone: viewer.file at random positions over HTTP (checkpoint reads cached after the first).
  const server: number[] = [];
  for (let r = 0; r < 200; r++) {
    const pos = 1 + Math.floor(Math.random() * (lastSeq - 1));
    const s0 = performance.now();
    const res = await anon.query('viewer.file', { token, seq: pos, path: 'notes.txt' });
    server.push(performance.now() - s0);
    if ((res.data as { content: string }).content !== `${expectAt(pos)}\n`) throw new Error(`wrong content at ${pos}`);
  }
  console.log(`load average at the end: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`server, viewer.file at a random position: ${fmt(server)}`);
  console.log(`events: ${lastSeq}, timeline entries rendered: ${rendered}, checkpoints: ${CHECKPOINTS}`);
  console.log(`first render: ${firstRender.toFixed(0)} ms`);
  console.log(`fully loaded timeline: ${fullyLoaded.toFixed(0)} ms`);
  console.log(`scrub, checkpoint read before (cached): ${scrubs.length ? fmt(scrubs) : 'n/a'}`);
  console.log(`scrub, first read of a checkpoint (sandboxed git): ${cold.length ? fmt(cold) : 'n/a'}`);
  console.log(`scrub, all: ${fmt([...scrubs, ...cold])}`);
} finally {
  await browser.close();
  await new Promise<void>((resolve) => io.close(() => resolve()));
  await provider.shutdown();
  for (const id of await provider.ids()) await provider.destroy(id);
  await testDb.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
}
