// What TLS termination adds: a client inside a network-on sandbox reaching a local HTTPS server
// (its certificate from a test CA) three ways —
//   terminated: CONNECT, TLS with the proxy (a leaf from the workspace CA), the proxy re-sends
//               each request over its own verified, kept-alive TLS connection upstream;
//   opaque:     the same server under a name listed as opaque: CONNECT, TLS end to end;
//   direct:     the same client on the host, TLS straight to the server.
// Per connection: open, handshake, one GET, read the answer, close. Per request: GETs over one
// kept-alive TLS connection. Also the one-off costs: making a workspace CA, minting a host's leaf.
//   node --import tsx bench/egress-tls.ts [runs=300]      (as root: it creates a uid's sandbox)
import fs from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { WorkspaceCa } from '../server/workspace/egress/ca.ts';
import { createLocalProvider } from '../server/workspace/local-provider.ts';
import { runProcess } from '../server/workspace/run-process.ts';

const RUNS = Number(process.argv[2] ?? 300);
const UID = 63_000 + Math.floor(Math.random() * 1000);
const TERMINATED = 'tls.bench.test';
const OPAQUE = 'opaque.bench.test';

// One client for all three: prints JSON { connection: ms[], request: ms[] }. Opaque skips
// verification (the sandbox does not trust the test CA); that costs nothing measurable.
const CLIENT = String.raw`
const http = require('node:http');
const tls = require('node:tls');
const fs = require('node:fs');
const [mode, host, port, runs, caFile] = process.argv.slice(1);
const ca = caFile ? [fs.readFileSync(caFile, 'utf8')] : undefined;
function tunnel() {
  return new Promise((ok, ko) => {
    const req = http.request({ host: '127.0.0.1', port: 3128, method: 'CONNECT', path: host + ':' + port });
    req.on('connect', (res, s) => res.statusCode === 200 ? ok(s) : ko(new Error('CONNECT ' + res.statusCode)));
    req.on('error', ko);
    req.end();
  });
}
async function openTls() {
  const socket = mode === 'direct' ? undefined : await tunnel();
  return new Promise((ok, ko) => {
    const s = tls.connect({ socket, host: mode === 'direct' ? '127.0.0.1' : undefined, port: Number(port), servername: host, ca, rejectUnauthorized: mode !== 'opaque', ALPNProtocols: ['http/1.1'] }, () => ok(s));
    s.on('error', ko);
  });
}
function get(s, close) {
  return new Promise((ok, ko) => {
    let got = '';
    const onData = (d) => { got += d; if (got.includes('pong')) { s.off('data', onData); ok(); } };
    s.on('data', onData);
    s.once('error', ko);
    s.write('GET /r HTTP/1.1\r\nHost: ' + host + ':' + port + '\r\nConnection: ' + (close ? 'close' : 'keep-alive') + '\r\n\r\n');
  });
}
async function oneConnection() { const s = await openTls(); await get(s, true); s.destroy(); }
let kept;
async function oneRequest() { kept ??= await openTls(); await get(kept, false); }
async function time(f, n) {
  for (let i = 0; i < 20; i++) await f();
  const xs = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await f(); xs.push(performance.now() - t); }
  return xs;
}
(async () => {
  const connection = await time(oneConnection, Number(runs));
  const request = await time(oneRequest, Number(runs));
  kept.destroy();
  console.log(JSON.stringify({ connection, request }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (xs: number[]) => `median ${pct(xs, 0.5).toFixed(3)} ms, p95 ${pct(xs, 0.95).toFixed(3)} ms`;

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-egress-tls-'));
await fs.chmod(base, 0o711);
const testCa = await WorkspaceCa.open(path.join(base, 'test-ca'), 'bench upstream');
const caFile = path.join(base, 'upstream-ca.pem');
await fs.writeFile(caFile, testCa.certPem);
const upstream = https.createServer({ SNICallback: (name, cb) => void testCa.contextFor(name).then((c) => cb(null, c), cb) }, (_req, res) => res.end('pong'));
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const port = (upstream.address() as AddressInfo).port;
const provider = await createLocalProvider({
  dataDir: path.join(base, 'data'), unsafeNoSandbox: false, diskQuotaBytes: 0, log: pino({ level: 'silent' }),
  egress: {
    pinned: new Map([TERMINATED, OPAQUE].map((n) => [`${n}:${port}`, { host: '127.0.0.1', port }])),
    upstreamCa: [testCa.certPem], opaqueHosts: [OPAQUE],
    policy: {
      decide: async (_ws, r) => ({ allow: r.host === TERMINATED || r.host === OPAQUE, by: 'allowlist', reason: 'listed' }),
      approveWrite: async () => ({ allow: false, by: 'bench', reason: 'the benchmark only reads' }),
      record: () => {},
    },
  },
});
try {
  const ws = await provider.create({ id: 'bench-egress-tls', source: { kind: 'empty' }, networkAllowed: true, uid: UID });
  const inSandbox = async (name: string, mode: string) => {
    const r = await ws.exec([process.execPath, '-e', CLIENT, mode, name, String(port), String(RUNS)], { timeoutMs: 900_000 });
    if (r.exitCode !== 0) throw new Error(`sandboxed client failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { connection: number[]; request: number[] };
  };
  const terminated = await inSandbox(TERMINATED, 'terminated');
  const opaque = await inSandbox(OPAQUE, 'opaque');
  const d = await runProcess([process.execPath, '-e', CLIENT, 'direct', TERMINATED, String(port), String(RUNS), caFile], { cwd: '/', env: {}, timeoutMs: 900_000 });
  if (d.exitCode !== 0) throw new Error(`host client failed: ${d.stderr}`);
  const direct = JSON.parse(d.stdout) as { connection: number[]; request: number[] };
  console.log(`runs: ${RUNS} each`);
  for (const [label, key] of [['per HTTPS connection (open, handshake, one GET, close)', 'connection'], ['per request (kept-alive TLS connection)', 'request']] as const) {
    console.log(label);
    console.log(`  terminated: ${fmt(terminated[key])}`);
    console.log(`  opaque:     ${fmt(opaque[key])}`);
    console.log(`  direct:     ${fmt(direct[key])}`);
  }
  const made: number[] = [];
  const minted: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    const ca = await WorkspaceCa.open(path.join(base, 'cas', String(i)), `bench ${i}`);
    made.push(performance.now() - t);
    t = performance.now();
    await ca.contextFor(`host${i}.bench.test`);
    minted.push(performance.now() - t);
  }
  console.log(`one-off (20 each): workspace CA ${fmt(made)}; leaf for a new host ${fmt(minted)}`);
} finally {
  for (const id of await provider.ids()) await provider.destroy(id);
  await provider.shutdown();
  upstream.close();
  await fs.rm(base, { recursive: true, force: true });
}
