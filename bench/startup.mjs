#!/usr/bin/env node
// Start-up and idle memory of the server.
// Runs the server as `npm start` does in production: the compiled server (`npm run build` first).
//   node bench/startup.mjs            warm start (dependencies and build present), N runs, as npm start runs it
//   node bench/startup.mjs --cold     fresh clone of HEAD into a temp dir, then `npm start` to first 200
//   node bench/startup.mjs --malloc   warm starts interleaved with and without the malloc settings
//                                     `npm start` gives the server (scripts/start.mjs), N runs each
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PRODUCTION_MALLOC_ENV, PRODUCTION_NODE_ARGS as SERVER } from '../scripts/lib/server-command.mjs';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.RUNS ?? 5);

async function untilHealthy(port, started, timeoutMs) {
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) return performance.now() - started;
    } catch { /* not listening yet */ }
    if (performance.now() - started > timeoutMs) throw new Error('server did not become healthy');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function once(cwd, command, args, port, timeoutMs, extraEnv = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-bench-'));
  const started = performance.now();
  const child = spawn(command, args, { cwd, stdio: 'ignore', detached: true, env: { ...process.env, PORT: String(port), TETHER_DATA_DIR: dataDir, TETHER_LOG_LEVEL: 'warn', NODE_ENV: 'production', ...extraEnv } });
  try {
    const ms = await untilHealthy(port, started, timeoutMs);
    await new Promise((r) => setTimeout(r, 3000));
    // The server is the node process listening on the port (npm start wraps it in two parents).
    const pid = execFileSync('sh', ['-c', `ss -ltnpH 'sport = :${port}' | sed -E 's/.*pid=([0-9]+).*/\\1/' | head -1`], { encoding: 'utf8' }).trim();
    return { ms, rss: rssMiB(pid) };
  } finally {
    process.kill(-child.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

if (process.argv.includes('--malloc')) {
  const variants = { default: {}, [Object.entries(PRODUCTION_MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ')]: PRODUCTION_MALLOC_ENV };
  const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, env] of Object.entries(variants)) {
      const r = await once(root, process.execPath, SERVER, 3940 + i, 120_000, env);
      results[name].push(r);
      console.log(`${name}: first 200 after ${r.ms.toFixed(0)} ms, idle RSS ${r.rss.toFixed(0)} MiB (load ${load()})`);
    }
  }
  for (const [name, rs] of Object.entries(results)) {
    console.log(`${name}: median start ${median(rs.map((r) => r.ms)).toFixed(0)} ms, median idle RSS ${median(rs.map((r) => r.rss)).toFixed(0)} MiB`);
  }
} else if (process.argv.includes('--cold')) {
  const clone = mkdtempSync(path.join(tmpdir(), 'tether-clone-'));
  execFileSync('git', ['clone', '-q', root, clone]);
  const r = await once(clone, 'npm', ['start'], 3917, 15 * 60_000);
  console.log(`cold npm start (fresh clone: npm ci + build + migrate) to first 200: ${(r.ms / 1000).toFixed(1)} s; idle RSS ${r.rss.toFixed(0)} MiB`);
  rmSync(clone, { recursive: true, force: true });
} else {
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await once(root, process.execPath, SERVER, 3918 + i, 60_000, PRODUCTION_MALLOC_ENV));
  console.log(`warm start to first 200 (fresh data dir, migrations applied), median of ${RUNS}: ${median(results.map((r) => r.ms)).toFixed(0)} ms`);
  console.log(`server RSS at idle (3 s after first 200), median: ${median(results.map((r) => r.rss)).toFixed(0)} MiB`);
  const npmStart = await once(root, 'npm', ['start'], 3930, 60_000);
  console.log(`warm \`npm start\` (checks dependencies and build, then serves) to first 200: ${npmStart.ms.toFixed(0)} ms`);
}
