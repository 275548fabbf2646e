// Terminal benchmarks against a real server and (for 1–2) a real browser:
//   node --import tsx bench/ide-terminal.ts echo         keystroke → echo rendered, idle and during floods
//   node --import tsx bench/ide-terminal.ts throughput   100 MiB of pty output rendered by xterm.js; server RSS
//   node --import tsx bench/ide-terminal.ts sessions     50 sessions with a terminal each: RSS per session, echo latency
// Needs a production build (`npm run build`) and root (the sandbox). Loopback only; everything it
// starts it stops. Chromium runs with --disable-webgl so xterm's DOM renderer shows what it drew.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { io as connect, type Socket } from 'socket.io-client';
import { ApiClient, cookieFrom, createProvisionedSession } from '../test/support/app.ts';

const mode = process.argv[2] ?? 'echo';
const root = path.resolve(import.meta.dirname, '..');
const KEYSTROKES = Number(process.env.KEYSTROKES ?? 200);
const SESSIONS = Number(process.env.SESSIONS ?? 50);
const THROUGHPUT_MIB = Number(process.env.THROUGHPUT_MIB ?? 100);
/** Between keystrokes, as a fast typist (~100 words a minute); echoes are measured one at a time. */
const TYPING_GAP_MS = 20;

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms (n=${xs.length})`;

async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-bench-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root, stdio: 'ignore',
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', TETHER_DATA_DIR: dataDir, TETHER_LOG_LEVEL: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* starting */ }
    if (i > 300) throw new Error('server did not start');
    await sleep(100);
  }
  const api = new ApiClient(url);
  const cookie = cookieFrom(await api.mutate('auth.setup', { email: 'bench@example.test', name: 'Bench', password: 'benchmark password' }))!;
  return {
    url, cookie, api: api.as(cookie), pid: child.pid!,
    async stop() { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); rmSync(dataDir, { recursive: true, force: true }); },
  };
}

async function openBrowserSession(server: Awaited<ReturnType<typeof startServer>>, sessionId: string) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-webgl', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const [name, value] = server.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  const page = await context.newPage();
  await page.goto(`${server.url}/sessions/${sessionId}`);
  return { browser, page };
}

async function newTerminal(page: Page, index: number) {
  await page.getByRole('button', { name: 'New terminal' }).click();
  const term = page.getByRole('region', { name: `Terminal ${index}` });
  await term.locator('.xterm-rows').getByText('$').first().waitFor();
  return term;
}

/** In the page: time from each keydown to the DOM mutation that shows its echo. */
async function measureEcho(page: Page, count: number): Promise<number[]> {
  await page.evaluate(() => {
    const w = window as unknown as { __lat: number[]; __t0: number | null };
    w.__lat = []; w.__t0 = null;
    document.addEventListener('keydown', () => { w.__t0 = performance.now(); }, { capture: true });
    const rows = [...document.querySelectorAll('.xterm-rows')].find((r) => (r as HTMLElement).offsetParent !== null)!;
    new MutationObserver(() => { if (w.__t0 !== null) { w.__lat.push(performance.now() - w.__t0); w.__t0 = null; } })
      .observe(rows, { childList: true, subtree: true, characterData: true });
  });
  for (let i = 0; i < count; i++) {
    const before = await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.length);
    await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
    await page.waitForFunction((n) => (window as unknown as { __lat: number[] }).__lat.length > n, before, { timeout: 10_000 });
    if (i % 60 === 59) { await page.keyboard.press('Control+u'); await sleep(50); await page.evaluate(() => { (window as unknown as { __t0: null }).__t0 = null; }); }
  }
  return page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.slice());
}

async function echo() {
  const server = await startServer();
  const s = await createProvisionedSession(server.api);
  const { browser, page } = await openBrowserSession(server, s.id);
  try {
    const t1 = await newTerminal(page, 1);
    await t1.click();
    const idle = await measureEcho(page, KEYSTROKES);
    console.log(`keystroke → echo rendered, idle (browser, DOM renderer): ${fmt(idle)}`);

    // A second terminal floods (16 MiB at a time, repeated) while the first is measured.
    await newTerminal(page, 2);
    await page.getByRole('region', { name: 'Terminal 2' }).click();
    await page.keyboard.type('while :; do head -c 16777216 /dev/urandom | base64; done\n');
    await sleep(500);
    await page.getByRole('tab', { name: 'Terminal 1' }).click();
    await page.getByRole('region', { name: 'Terminal 1' }).click();
    await page.keyboard.press('Control+u');
    const flood = await measureEcho(page, KEYSTROKES);
    console.log(`keystroke → echo rendered, during repeated 16 MiB floods in another terminal: ${fmt(flood)}`);
    await page.getByRole('tab', { name: 'Terminal 2' }).click();
    await page.getByRole('region', { name: 'Terminal 2' }).click();
    await page.keyboard.press('Control+c');
  } finally {
    await browser.close();
    await server.stop();
  }
  // Baseline in the same run: node-pty alone, no sandbox, no transport, no browser.
  const pty = await import('node-pty');
  const p = pty.spawn('/bin/bash', ['--norc', '-i'], { cols: 120, rows: 30, env: { PATH: '/usr/bin:/bin', TERM: 'xterm-256color', PS1: '$ ' } });
  await sleep(300);
  const lat: number[] = [];
  for (let i = 0; i < KEYSTROKES; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const t0 = performance.now();
    await new Promise<void>((resolve) => { const d = p.onData((x) => { if (x.includes(ch)) { d.dispose(); resolve(); } }); p.write(ch); });
    lat.push(performance.now() - t0);
    await sleep(TYPING_GAP_MS);
    if (i % 60 === 59) { p.write('\x15'); await sleep(20); }
  }
  p.kill();
  console.log(`baseline, node-pty alone (no sandbox, transport or browser): ${fmt(lat)}`);
}

async function throughput() {
  const server = await startServer();
  const s = await createProvisionedSession(server.api);
  const { browser, page } = await openBrowserSession(server, s.id);
  try {
    const term = await newTerminal(page, 1);
    await term.click();
    const bytes = THROUGHPUT_MIB * 1024 * 1024;
    const before = rssMiB(server.pid);
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(server.pid)); }, 50);
    await page.keyboard.type(`clear; yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN | head -c ${bytes}; echo; echo DONE-$((6*7))`);
    const t0 = Date.now();
    await page.keyboard.press('Enter');
    await term.locator('.xterm-rows').getByText('DONE-42').waitFor({ timeout: 600_000 });
    const seconds = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    console.log(`${THROUGHPUT_MIB} MiB through pty → sandbox → Socket.IO → xterm.js (DOM renderer): ${(THROUGHPUT_MIB / seconds).toFixed(1)} MiB/s (${seconds.toFixed(1)} s); server RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MiB (growth ${(peak - before).toFixed(1)} MiB)`);
  } finally {
    await browser.close();
    await server.stop();
  }
  const t0 = Date.now();
  execFileSync('bash', ['-c', `yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN | head -c ${THROUGHPUT_MIB * 1024 * 1024} > /dev/null`]);
  console.log(`baseline, the same pipeline to /dev/null on the host: ${(THROUGHPUT_MIB / ((Date.now() - t0) / 1000)).toFixed(0)} MiB/s`);
}

async function sessions() {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const open = () => new Promise<Socket>((resolve, reject) => {
      const s = connect(server.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: server.cookie, origin: server.url } });
      s.on('connect', () => resolve(s)); s.on('connect_error', reject);
    });
    const echoLatency = async (socket: Socket, sessionId: string, terminalId: string, n: number) => {
      const lat: number[] = [];
      for (let i = 0; i < n; i++) {
        const ch = String.fromCharCode(97 + (i % 26));
        const t0 = performance.now();
        await new Promise<void>((resolve) => {
          const on = (d: { terminalId: string; data: string }) => { if (d.terminalId === terminalId && d.data.includes(ch)) { socket.off('terminal:data', on); resolve(); } };
          socket.on('terminal:data', on);
          socket.emit('terminal:input', { sessionId, terminalId, data: ch });
        });
        lat.push(performance.now() - t0);
        await sleep(TYPING_GAP_MS);
        if (i % 60 === 59) { socket.emit('terminal:input', { sessionId, terminalId, data: '\x15' }); await sleep(20); }
      }
      return lat;
    };
    const opened: { sessionId: string; terminalId: string; socket: Socket }[] = [];
    const openOne = async () => {
      const s = await createProvisionedSession(server.api);
      const socket = await open();
      sockets.push(socket);
      const r = await socket.emitWithAck('terminal:open', { sessionId: s.id, cols: 100, rows: 30 });
      await socket.emitWithAck('terminal:attach', { sessionId: s.id, terminalId: r.terminal.id, fromOffset: null });
      opened.push({ sessionId: s.id, terminalId: r.terminal.id, socket });
    };
    await openOne();
    await sleep(1000);
    const one = await echoLatency(opened[0]!.socket, opened[0]!.sessionId, opened[0]!.terminalId, 100);
    await sleep(2000);
    const before = rssMiB(server.pid);
    for (let i = 1; i < SESSIONS; i++) await openOne();
    await sleep(3000);
    const after = rssMiB(server.pid);
    const all = await echoLatency(opened[0]!.socket, opened[0]!.sessionId, opened[0]!.terminalId, 100);
    console.log(`server RSS with 1 session: ${before.toFixed(0)} MiB; with ${SESSIONS}: ${after.toFixed(0)} MiB → ${((after - before) / (SESSIONS - 1)).toFixed(2)} MiB per idle session (workspace + sandboxed shell + socket)`);
    console.log(`echo round trip over Socket.IO (node client), 1 session connected: ${fmt(one)}`);
    console.log(`echo round trip over Socket.IO (node client), ${SESSIONS} sessions connected: ${fmt(all)}`);
  } finally {
    sockets.forEach((s) => s.close());
    await server.stop();
  }
}

await ({ echo, throughput, sessions } as Record<string, () => Promise<void>>)[mode]!();
process.exit(0);
