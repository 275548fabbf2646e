// Capacity: how many concurrent sessions, each with an open terminal and a running scripted agent,
// one Tether instance holds before the terminal echo's p95 passes 50 ms, and the same with two
// instances (sessions alternate between them; each browser-like socket talks to its session's
// owner, as the load balancer's hashing sends it). Real production servers in child processes
// over the local PostgreSQL (a schema of its own) and Redis (a key prefix of its own), a scripted
// model server on loopback.
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test TEST_REDIS_URL=redis://127.0.0.1:6379 npm run bench:scale
//   STEPS=1,2,4,8,16 INSTANCES=1,2 SAMPLES=60 … (defaults)
// An agent step is a model reply after STEP_DELAY_MS (300) asking for `run_command echo step`: each
// session's agent keeps a sandboxed command and a model call going the whole time.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { killHosts, OwnServer, tempDir } from '../../e2e/own-server.ts';
import { ApiClient, cookieFrom, createProvisionedSession } from '../../test/support/app.ts';
import { createTestDb } from '../../test/support/db.ts';
import { startScriptedModelServer } from '../../test/support/scripted-model-server.ts';
import type { TerminalData } from '../../server/realtime/protocol.ts';

const PG_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL;
if (!PG_URL || !REDIS_URL) throw new Error('set TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (Redis)');
const STEPS = (process.env.STEPS ?? '1,2,4,8,16').split(',').map(Number);
const INSTANCES = (process.env.INSTANCES ?? '1,2').split(',').map(Number);
const SAMPLES = Number(process.env.SAMPLES ?? 60);
const STEP_DELAY_MS = Number(process.env.STEP_DELAY_MS ?? 300);
const LIMIT_MS = 50;
const ADMIN = { name: 'Bench Admin', email: 'bench@example.test', password: 'capacity bench pw 1' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const load = () => loadavg()[0]!.toFixed(1);

/** One session as a browser holds it: a socket to its owner, its terminal attached, its agent working. */
interface Held { socket: Socket; sessionId: string; terminalId: string; output: string; wake: (() => void) | null }

async function hold(server: OwnServer, api: ApiClient, n: number): Promise<Held> {
  const session = await createProvisionedSession(api, { kind: 'empty' }, `capacity ${n}`);
  if (session.workspace.status !== 'ready') throw new Error(`session ${n}: workspace ${session.workspace.status}: ${session.workspace.error}`);
  const socket = connect(server.url, {
    path: '/socket.io', transports: ['websocket'], forceNew: true, query: { session: session.id },
    extraHeaders: { cookie: api.cookie!, origin: server.url },
  });
  await new Promise<void>((resolve, reject) => { socket.on('connect', resolve); socket.on('connect_error', reject); });
  const opened = await socket.emitWithAck('terminal:open', { sessionId: session.id, cols: 100, rows: 24 });
  if (!opened.ok) throw new Error(opened.error);
  const held: Held = { socket, sessionId: session.id, terminalId: opened.terminal.id, output: '', wake: null };
  socket.on('terminal:data', (d: TerminalData) => {
    if (d.terminalId !== held.terminalId) return;
    held.output += d.data;
    socket.emit('terminal:ack', { sessionId: held.sessionId, terminalId: held.terminalId, chars: d.data.length });
    held.wake?.();
  });
  const attached = await socket.emitWithAck('terminal:attach', { sessionId: session.id, terminalId: held.terminalId, fromOffset: null });
  if (!attached.ok) throw new Error(attached.error);
  await until(held, () => held.output.includes('$'), 30_000);
  const sent = await api.mutate('agent.send', { sessionId: session.id, text: 'Keep working until told to stop.' });
  if (sent.error) throw new Error(`session ${n}: agent: ${sent.error.message}`);
  return held;
}

async function until(held: Held, done: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`terminal of ${held.sessionId}: no answer within ${timeoutMs} ms`);
    await new Promise<void>((r) => { held.wake = r; setTimeout(r, 50); });
  }
  held.wake = null;
}

/** One keystroke → its echo, per sample, round robin over the sessions. */
async function echoes(held: Held[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const h = held[i % held.length]!;
    // The prompt line is cleared each round (Ctrl+U), so it never wraps.
    const key = i % 20 === 19 ? '\u0015' : String.fromCharCode(97 + (i % 26));
    const before = h.output.length;
    const t0 = performance.now();
    h.socket.emit('terminal:input', { sessionId: h.sessionId, terminalId: h.terminalId, data: key });
    await until(h, () => h.output.length > before, 10_000);
    if (key !== '\u0015') out.push(performance.now() - t0);
    await sleep(20);
  }
  return out;
}

async function run(instances: number) {
  const db = await createTestDb('postgres');
  const model = await startScriptedModelServer();
  // Far more turns than the run consumes: every step asks for one more command (the loop's own step limit ends a run early).
  model.script(Array.from({ length: 20_000 }, (_, i) => ({ delayMs: STEP_DELAY_MS, toolCalls: [{ id: `call_${i}`, name: 'run_command', input: { command: `echo step ${i}` } }] })));
  const base = tempDir('tether-bench-capacity-');
  const workspacesDir = path.join(base, 'workspaces');
  const env = {
    DATABASE_URL: db.url, REDIS_URL, TETHER_REDIS_PREFIX: `tether-bench:${randomBytes(4).toString('hex')}:`,
    TETHER_WORKSPACES_DIR: workspacesDir, TETHER_WORKSPACE_DISK_BYTES: '0', TETHER_SECRET_KEY: randomBytes(32).toString('hex'),
    TETHER_MODELS: 'compat:capacity-model', OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'bench-placeholder-key',
    TETHER_AGENT_MAX_STEPS: '10000',
  };
  const servers: OwnServer[] = [];
  const held: Held[] = [];
  const figures: { sessions: number; p50: number; p95: number; load: string }[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      const s = await OwnServer.create((url) => ({ dataDir: path.join(base, `data-${i}`), env: { ...env, TETHER_INSTANCE_ID: `bench-${i}`, TETHER_INSTANCE_URL: url } }));
      await s.start();
      servers.push(s);
    }
    const anon = new ApiClient(servers[0]!.url);
    const cookie = cookieFrom(await anon.mutate('auth.setup', ADMIN));
    // A session is owned by the instance it was created on.
    const apis = servers.map((s) => new ApiClient(s.url, cookie));
    for (const target of STEPS) {
      while (held.length < target) held.push(await hold(servers[held.length % instances]!, apis[held.length % instances]!, held.length + 1));
      await sleep(2000); // the agents get going
      const l = await echoes(held);
      const f = { sessions: target, p50: pct(l, 50), p95: pct(l, 95), load: load() };
      figures.push(f);
      console.log(`  ${instances} instance(s), ${target} sessions: echo p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms (load avg ${f.load}; ${model.requests.length} model calls so far)`);
      if (f.p95 > LIMIT_MS) break;
    }
  } finally {
    for (const h of held) h.socket.close();
    for (const s of servers) await s.stop();
    await killHosts(workspacesDir);
    await model.close();
    await db.cleanup();
    rmSync(base, { recursive: true, force: true });
  }
  const within = figures.filter((f) => f.p95 <= LIMIT_MS).at(-1);
  console.log(`${instances} instance(s): ${within ? `held ${within.sessions} sessions with echo p95 ≤ ${LIMIT_MS} ms` : `echo p95 over ${LIMIT_MS} ms from the first step`}${figures.at(-1)!.p95 > LIMIT_MS ? `; passed it at ${figures.at(-1)!.sessions}` : `; never passed it up to ${figures.at(-1)!.sessions}`}`);
}

console.log(`bench:scale capacity — steps ${STEPS.join(',')}, ${SAMPLES} echoes per step, agent step every ${STEP_DELAY_MS} ms + command; load avg ${load()} at start`);
for (const n of INSTANCES) await run(n);
