// Server memory while a terminal floods: 100 MiB of pty output streamed through the real server
// (pty in the workspace host → Unix socket → server → Socket.IO) to a client that acknowledges
// as a browser renders, and to one that falls behind. Prints the server's RSS before, its peak
// growth during the stream, and what is left 5 s after it.
//   node --import tsx bench/terminal-flood-rss.ts [MiB=100]
// Needs a production build (`npm run build`) and root (the sandbox). Loopback only; everything it
// starts it stops. The full terminal-feel bench (echo, throughput in a browser) is ide-terminal.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { TERMINAL_ACK_CHARS, type TerminalData } from '../server/realtime/protocol.ts';
import { PRODUCTION_MALLOC_ENV, PRODUCTION_NODE_ARGS } from '../scripts/lib/server-command.mjs';
import { ApiClient, cookieFrom, createProvisionedSession } from '../test/support/app.ts';

const MIB = Number(process.argv[2] ?? 100);
const root = path.resolve(import.meta.dirname, '..');
/** The slow client renders this many characters per 10 ms tick: ~8 MB/s, xterm.js's DOM renderer's pace (issue 12). */
const SLOW_CHARS_PER_TICK = 80_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
});

const port = await freePort();
const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-flood-bench-'));
const child: ChildProcess = spawn(process.execPath, PRODUCTION_NODE_ARGS, {
  cwd: root, stdio: 'ignore',
  env: { ...PRODUCTION_MALLOC_ENV, ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', TETHER_DATA_DIR: dataDir, TETHER_LOG_LEVEL: 'warn' },
});
const url = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* starting */ }
  if (i > 300) throw new Error('server did not start');
  await sleep(100);
}

try {
  const anon = new ApiClient(url);
  const cookie = cookieFrom(await anon.mutate('auth.setup', { email: 'bench@example.test', name: 'Bench', password: 'benchmark password' }))!;
  const session = await createProvisionedSession(anon.as(cookie));
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: url } });
    s.on('connect', () => resolve(s));
    s.on('connect_error', reject);
  });
  const emit = <T>(event: string, payload: unknown) => new Promise<T>((resolve) => socket.emit(event, payload, resolve));
  const opened = await emit<{ ok: boolean; terminal: { id: string } }>('terminal:open', { sessionId: session.id, cols: 200, rows: 50 });
  const ids = { sessionId: session.id, terminalId: opened.terminal.id };

  for (const client of ['fast', 'slow'] as const) {
    let text = '';
    let received = 0;
    let unacked = 0;
    let backlog = 0;
    const marker = `FLOOD-${client}-DONE`;
    const done = new Promise<void>((resolve) => {
      const onData = (d: TerminalData) => {
        received += d.data.length;
        text = (text + d.data).slice(-200);
        if (client === 'fast') {
          unacked += d.data.length;
          if (unacked >= TERMINAL_ACK_CHARS) { socket.emit('terminal:ack', { ...ids, chars: unacked }); unacked = 0; }
        } else backlog += d.data.length;
        if (text.includes(`${marker}\r\n`)) { socket.off('terminal:data', onData); resolve(); }
      };
      socket.on('terminal:data', onData);
    });
    // A browser that renders slower than the pty writes: it acknowledges at its own pace.
    const slowRender = client === 'slow' ? setInterval(() => {
      const n = Math.min(backlog, SLOW_CHARS_PER_TICK);
      if (n > 0) { backlog -= n; socket.emit('terminal:ack', { ...ids, chars: n }); }
    }, 10) : null;
    await emit('terminal:attach', { ...ids, fromOffset: null });
    await sleep(1000);
    const before = rssMiB(child.pid!);
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(child.pid!)); }, 25);
    const t0 = performance.now();
    socket.emit('terminal:input', { ...ids, data: `head -c ${MIB * 1024 * 1024} /dev/urandom | base64 -w 120; echo ${marker.slice(0, 6)}''${marker.slice(6)}\r` });
    await done;
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (slowRender) clearInterval(slowRender);
    socket.emit('terminal:detach', ids);
    await sleep(5000);
    const after = rssMiB(child.pid!);
    console.log(`${client} client: ${(received / 1024 / 1024).toFixed(0)} MiB in ${seconds.toFixed(1)} s; server RSS ${before.toFixed(0)} MiB → peak +${(peak - before).toFixed(1)} MiB, 5 s after +${(after - before).toFixed(1)} MiB (load ${loadavg()[0]!.toFixed(2)})`);
  }
  // A server stop leaves terminals running in their hosts: close it, so nothing outlives the bench.
  await emit('terminal:close', ids);
  socket.close();
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
