// The release guard's cost: one release check of the node-ts template (the shared scanner run
// inside the workspace sandbox: bwrap + node + `npm pack --dry-run`) and of a build folder, beside
// a bare sandboxed `node -e 0` in the same run, which is the floor any in-sandbox check pays.
//   node --import tsx bench/release-check.ts [runs=20]      (as root: it creates a uid's sandbox)
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import pino from 'pino';
import { runReleaseCheck } from '../server/release/check.ts';
import { createLocalProvider } from '../server/workspace/local-provider.ts';

const RUNS = Number(process.argv[2] ?? 20);
const UID = 62_000 + Math.floor(Math.random() * 1000);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(0)} ms, p95 ${pct(xs, 0.95).toFixed(0)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) { const t = performance.now(); await fn(); out.push(performance.now() - t); }
  return out;
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-release-'));
const provider = await createLocalProvider({ dataDir, diskQuotaBytes: 0, unsafeNoSandbox: false, log: pino({ level: 'silent' }) });
try {
  const ws = await provider.create({ id: 'bench', source: { kind: 'template', template: 'node-ts' }, networkAllowed: false, uid: UID });
  const floor = await time(() => ws.exec(['node', '-e', '0']));
  const pack = await time(() => runReleaseCheck(ws, { dir: null, internalHosts: ['*.corp.example'] }));
  const folder = await time(() => runReleaseCheck(ws, { dir: 'src', internalHosts: ['*.corp.example'] }));
  console.log(`runs: ${RUNS}`);
  console.log(`sandboxed node -e 0:              ${fmt(floor)}`);
  console.log(`release check, npm pack --dry-run: ${fmt(pack)}`);
  console.log(`release check, folder src:         ${fmt(folder)}`);
} finally {
  await provider.shutdown();
  await provider.destroy('bench');
  await fs.rm(dataDir, { recursive: true, force: true });
}
