// What the egress path adds: a client inside a network-on sandbox reaching a local test server
// through socat → the proxy's Unix socket → the proxy (allowlist check, resolve, connect), against
// the same client on the host connecting straight to the server. Per connection: open, one GET,
// read the answer, close (a CONNECT tunnel when proxied). Per request: GETs over one kept-alive
// connection (a plain proxied request each, decided one by one). Also: what starting the in-sandbox
// relay adds to every network-on process (exec \`true\`, network on vs off).
//   node --import tsx bench/egress-proxy.ts [runs=300]      (as root: it creates a uid's sandbox)
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createLocalProvider } from '../server/workspace/local-provider.ts';
import { runProcess } from '../server/workspace/run-process.ts';

const RUNS = Number(process.argv[2] ?? 300);
const UID = 62_000 + Math.floor(Math.random() * 1000);
const NAME = 'bench.test';

// The same client on both sides: prints JSON { connection: ms[], request: ms[] }.
const CLIENT = String.raw`
const http = require('node:http');
const net = require('node:net');
const [mode, host, port, runs] = process.argv.slice(1);
const proxy = { host: '127.0.0.1', port: 3128 };
const target = mode === 'proxy' ? { host: ${JSON.stringify(NAME)}, port: Number(port) } : { host, port: Number(port) };
function openSocket() {
  if (mode !== 'proxy') return new Promise((ok, ko) => { const s = net.connect(target, () => ok(s)); s.on('error', ko); });
  return new Promise((ok, ko) => {
    const req = http.request({ ...proxy, method: 'CONNECT', path: target.host + ':' + target.port });
    req.on('connect', (res, s) => res.statusCode === 200 ? ok(s) : ko(new Error('CONNECT ' + res.statusCode)));
    req.on('error', ko);
    req.end();
  });
}
async function oneConnection() {
  const s = await openSocket();
  await new Promise((ok, ko) => {
    let got = '';
    s.on('data', (d) => { got += d; if (got.includes('pong')) { s.destroy(); ok(); } });
    s.on('error', ko);
    s.write('GET /c HTTP/1.1\r\nHost: ' + target.host + '\r\nConnection: close\r\n\r\n');
  });
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function oneRequest() {
  const opts = mode === 'proxy'
    ? { ...proxy, path: 'http://' + target.host + ':' + target.port + '/r', headers: { host: target.host + ':' + target.port }, agent }
    : { ...target, path: '/r', agent };
  return new Promise((ok, ko) => http.get(opts, (res) => { res.resume(); res.on('end', ok); }).on('error', ko));
}
async function time(f, n) {
  for (let i = 0; i < 20; i++) await f();
  const xs = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await f(); xs.push(performance.now() - t); }
  return xs;
}
(async () => {
  const connection = await time(oneConnection, Number(runs));
  const request = await time(oneRequest, Number(runs));
  agent.destroy();
  console.log(JSON.stringify({ connection, request }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (xs: number[]) => `median ${pct(xs, 0.5).toFixed(3)} ms, p95 ${pct(xs, 0.95).toFixed(3)} ms`;

const upstream = http.createServer((_req, res) => res.end('pong'));
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const port = (upstream.address() as AddressInfo).port;
const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-egress-'));
await fs.chmod(base, 0o711);
const provider = await createLocalProvider({
  dataDir: path.join(base, 'data'), unsafeNoSandbox: false, diskQuotaBytes: 0, log: pino({ level: 'silent' }),
  egress: {
    pinned: new Map([[`${NAME}:${port}`, { host: '127.0.0.1', port }]]),
    policy: {
      decide: async (_ws, r) => ({ allow: r.host === NAME, by: `allowlist:${NAME}`, reason: 'listed' }),
      approveWrite: async () => ({ allow: false, by: 'bench', reason: 'the benchmark only reads' }),
      record: () => {},
    },
  },
});
try {
  const ws = await provider.create({ id: 'bench-egress', source: { kind: 'empty' }, networkAllowed: true, uid: UID });
  const proxied = await ws.exec([process.execPath, '-e', CLIENT, 'proxy', NAME, String(port), String(RUNS)], { timeoutMs: 600_000 });
  if (proxied.exitCode !== 0) throw new Error(`sandboxed client failed: ${proxied.stderr}`);
  const direct = await runProcess([process.execPath, '-e', CLIENT, 'direct', '127.0.0.1', String(port), String(RUNS)], { cwd: '/', env: {}, timeoutMs: 600_000 });
  if (direct.exitCode !== 0) throw new Error(`host client failed: ${direct.stderr}`);
  const p = JSON.parse(proxied.stdout) as { connection: number[]; request: number[] };
  const d = JSON.parse(direct.stdout) as { connection: number[]; request: number[] };
  console.log(`runs: ${RUNS} each`);
  console.log(`per connection (open, one GET, close)  proxied: ${fmt(p.connection)}   direct: ${fmt(d.connection)}`);
  console.log(`per request (kept-alive connection)    proxied: ${fmt(p.request)}   direct: ${fmt(d.request)}`);
  const off = await provider.create({ id: 'bench-egress-off', source: { kind: 'empty' }, networkAllowed: false, uid: UID + 1 });
  const startOn: number[] = [];
  const startOff: number[] = [];
  for (let i = 0; i < 60; i++) {
    let t = performance.now();
    await ws.exec(['true']);
    startOn.push(performance.now() - t);
    t = performance.now();
    await off.exec(['true']);
    startOff.push(performance.now() - t);
  }
  console.log(`process start (exec true, 60 each)     network on: ${fmt(startOn)}   off: ${fmt(startOff)}`);
  console.log(`added: connection median ${(pct(p.connection, 0.5) - pct(d.connection, 0.5)).toFixed(3)} ms, request median ${(pct(p.request, 0.5) - pct(d.request, 0.5)).toFixed(3)} ms`);
} finally {
  for (const id of await provider.ids()) await provider.destroy(id);
  await provider.shutdown();
  upstream.close();
  await fs.rm(base, { recursive: true, force: true });
}
