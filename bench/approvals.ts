// Approval latency against a real server, a real browser and the scripted model server:
//   node --import tsx bench/approvals.ts
// 1. gate → prompt visible: from the Approval row's creation (server clock) until the region
//    "Approval required" is in the DOM of a second person's browser (the same machine's clock);
// 2. Approve → command started: from the click on Approve until the approved command's first
//    program after the checkpoint writes the time (`date` inside the sandbox, the same clock).
// Needs a production build (`node scripts/build.mjs`) and root (the sandbox). Loopback only;
// everything it starts it stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { io as connect } from 'socket.io-client';
import { ApiClient, cookieFrom, createProvisionedSession } from '../test/support/app.ts';
import { startScriptedModelServer } from '../test/support/scripted-model-server.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 30);
const root = path.resolve(import.meta.dirname, '..');

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms (n=${xs.length})`;

async function until<T>(what: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

const model = await startScriptedModelServer();
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-bench-approvals-'));
const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  cwd: root, stdio: 'ignore',
  env: {
    ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', TETHER_DATA_DIR: dataDir, TETHER_LOG_LEVEL: 'warn',
    TETHER_MODELS: 'compat:bench-model', OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'bench-placeholder-key',
  },
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-webgl', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});

try {
  await until(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok);
  const anon = new ApiClient(url);
  const requester = anon.as(cookieFrom(await anon.mutate('auth.setup', { email: 'req@example.test', name: 'Requester', password: 'benchmark password' })));
  await requester.mutate('admin.createUser', { email: 'approver@example.test', name: 'Approver', password: 'benchmark password 2', role: 'admin' });
  const approverCookie = cookieFrom(await anon.mutate('auth.login', { email: 'approver@example.test', password: 'benchmark password 2' }))!;
  // Thirty high-risk requests in a few minutes would trip the anomaly limit (a paused run), which is not what is measured.
  await requester.mutate('policy.setSettings', { mediumAction: 'allow', anomalyHighRisk: 1000, anomalyDenials: 3, anomalyWindowSeconds: 600 });
  const session = await createProvisionedSession(requester, { kind: 'empty' }, 'approval bench');

  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const [name, value] = approverCookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  await page.goto(`${url}/sessions/${session.id}`);
  await page.getByRole('textbox', { name: 'Message the agent' }).waitFor();
  await page.evaluate(() => {
    const w = window as unknown as { promptAt: number | null; clickAt: number | null };
    w.promptAt = null;
    new MutationObserver(() => {
      if (w.promptAt === null && document.querySelector('[aria-label="Approval required"]')) w.promptAt = Date.now();
    }).observe(document.body, { childList: true, subtree: true });
    document.addEventListener('pointerdown', () => { w.clickAt = Date.now(); }, true);
  });

  // A second follower outside the browser: when the requested event itself arrives.
  const socket = connect(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: approverCookie, origin: url } });
  const eventAt = new Map<string, number>();
  socket.on('session:event', (e: { type: string; payload: { callId?: string } }) => { if (e.type === 'agent.approval.requested') eventAt.set(e.payload.callId!, Date.now()); });
  await new Promise((r) => socket.on('connect', () => r(null)));
  await socket.emitWithAck('session:follow', { sessionId: session.id, afterSeq: 0 });
  const toEvent: number[] = [];
  const clicks: number[] = [];
  const starts: number[] = [];
  const toPrompt: number[] = [];
  const toCommand: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const file = `started-${i}.txt`;
    model.script([
      { toolCalls: [{ id: `call_${i}`, name: 'run_command', input: { command: `rm -rf scratch && date +%s%3N > ${file}` } }] },
      { text: `round ${i} done` },
    ]);
    await page.evaluate(() => { (window as unknown as { promptAt: number | null }).promptAt = null; });
    await requester.mutate('agent.send', { sessionId: session.id, text: `round ${i}` });
    const approval = await until(async () => ((await requester.query('approvals.list', { sessionId: session.id })).data as { status: string; createdAt: string }[]).find((a) => a.status === 'pending'));
    const prompt = page.getByRole('region', { name: 'Approval required' });
    await prompt.getByRole('button', { name: 'Approve', exact: true }).waitFor();
    const promptAt = await page.evaluate(() => (window as unknown as { promptAt: number }).promptAt);
    toPrompt.push(promptAt - Date.parse(approval.createdAt));
    toEvent.push(eventAt.get(`call_${i}`)! - Date.parse(approval.createdAt));
    await prompt.getByRole('button', { name: 'Approve', exact: true }).click();
    const clickAt = await page.evaluate(() => (window as unknown as { clickAt: number }).clickAt);
    const started = await until(async () => Number(((await requester.query('files.read', { sessionId: session.id, path: file })).data as { content?: string } | undefined)?.content?.trim() || 0));
    toCommand.push(started - clickAt);
    clicks.push(clickAt);
    starts.push(started);
    await until(async () => ((await requester.query('agent.status', { sessionId: session.id })).data as { active: unknown }).active === null);
    await prompt.waitFor({ state: 'detached' });
  }
  // Where the time goes, from the recorded events (server clock): answer recorded → checkpoint taken → command started.
  const events = (await requester.query('sessions.events', { sessionId: session.id, afterSeq: 0, limit: 1000 })).data as { type: string; createdAt: string; payload: Record<string, unknown> }[];
  const at = (type: string, callId: string) => Date.parse(events.find((e) => e.type === type && (e.payload.callId === callId))?.createdAt ?? '');
  const checkpointMs = events.filter((e) => e.type === 'agent.checkpoint').map((e) => Number(e.payload.durationMs));
  const decidedToCheckpointEnd = Array.from({ length: ROUNDS }, (_, i) => at('agent.checkpoint', `call_${i}`) - at('agent.approval.decided', `call_${i}`));
  const clickToDecided = clicks.map((c, i) => at('agent.approval.decided', `call_${i}`) - c);
  const checkpointToStart = starts.map((st, i) => st - at('agent.checkpoint', `call_${i}`));
  console.log(`  click → answer recorded: ${fmt(clickToDecided)}`);
  console.log(`  answer recorded → checkpoint recorded: ${fmt(decidedToCheckpointEnd)} (the checkpoint itself: ${fmt(checkpointMs)})`);
  console.log(`  checkpoint recorded → command started (sandbox launch): ${fmt(checkpointToStart)}`);
  console.log(`  gate → the requested event at a Socket.IO follower: ${fmt(toEvent)}`);
  socket.close();
  console.log(`gate → prompt visible in a second browser: ${fmt(toPrompt)}`);
  console.log(`Approve clicked → approved command started: ${fmt(toCommand)}`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await model.close();
  rmSync(dataDir, { recursive: true, force: true });
}
