// Workspace ready: from create (node-ts template) to a shell prompt in a sandboxed pty, and the
// sandbox launch alone, each beside an unsandboxed baseline measured in the same run.
//   node --import tsx bench/workspace-ready.ts [runs=15]      (as root: it creates uids' sandboxes)
//   DISK_BYTES=0 node --import tsx bench/workspace-ready.ts    (the same without a disk image per workspace)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as nodePty from 'node-pty';
import pino from 'pino';
import { createLocalProvider } from '../server/workspace/local-provider.ts';

const RUNS = Number(process.argv[2] ?? 15);
const PROMPT = /\$ $/;
const UID_BASE = 60_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms  (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`;

/** A listener that resolves `prompt` once the output shows one. */
function promptWatch(): { onData(chunk: string): void; prompt: Promise<void> } {
  let out = '';
  let seen: () => void = () => {};
  const prompt = new Promise<void>((resolve) => { seen = resolve; });
  return { onData: (chunk) => { out += chunk; if (PROMPT.test(out)) seen(); }, prompt };
}

function plainSpawn(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', () => resolve());
  });
}

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-'));
await fs.chmod(base, 0o711);
const diskQuotaBytes = process.env.DISK_BYTES === undefined ? undefined : Number(process.env.DISK_BYTES);
const provider = await createLocalProvider({ dataDir: path.join(base, 'data'), diskQuotaBytes, unsafeNoSandbox: false, log: pino({ level: 'silent' }) });
const t = { ready: [] as number[], create: [] as number[], prompt: [] as number[], baselinePrompt: [] as number[], sandboxTrue: [] as number[], plainTrue: [] as number[], destroy: [] as number[] };

try {
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const ws = await provider.create({ id: `bench-${i}`, source: { kind: 'template', template: 'node-ts' }, networkAllowed: false, uid: UID_BASE + i });
    const t1 = performance.now();
    const watch = promptWatch();
    const { pty } = await ws.openPty({ id: randomUUID(), cols: 80, rows: 24 }, { onData: (c) => watch.onData(c.data), onExit() {}, onLost() {} });
    await watch.prompt;
    const t2 = performance.now();
    t.create.push(t1 - t0); t.prompt.push(t2 - t1); t.ready.push(t2 - t0);
    pty.kill();

    const b0 = performance.now();
    const plain = nodePty.spawn('/bin/bash', ['--norc', '--noprofile'], { cols: 80, rows: 24, cwd: base, env: { PATH: '/usr/bin:/bin', HOME: base, TERM: 'xterm-256color', PS1: '\\w $ ' } });
    const plainWatch = promptWatch();
    const d = plain.onData(plainWatch.onData);
    await plainWatch.prompt;
    d.dispose();
    t.baselinePrompt.push(performance.now() - b0);
    plain.kill();

    const s0 = performance.now();
    await ws.exec(['/bin/true']);
    t.sandboxTrue.push(performance.now() - s0);
    const p0 = performance.now();
    await plainSpawn('/bin/true', []);
    t.plainTrue.push(performance.now() - p0);
    const d0 = performance.now();
    await provider.destroy(`bench-${i}`);
    t.destroy.push(performance.now() - d0);
  }
} finally {
  await provider.shutdown();
  await fs.rm(base, { recursive: true, force: true });
}

const caps = provider.capabilities();
console.log(`workspace-ready bench, ${RUNS} runs, ${os.cpus().length} cores, node ${process.version}, cgroups ${caps.cgroups}, disk quota ${caps.diskQuota}${diskQuotaBytes ? ` (${diskQuotaBytes} bytes)` : ''}`);
console.log(`create (template) → prompt in sandboxed pty   ${fmt(t.ready)}`);
console.log(`  of which create (image, dirs, cgroups, copy) ${fmt(t.create)}`);
console.log(`  of which spawn sandboxed pty → prompt        ${fmt(t.prompt)}`);
console.log(`  baseline: plain node-pty bash → prompt       ${fmt(t.baselinePrompt)}`);
console.log(`sandbox alone: exec true (sh+prlimit+setpriv+bwrap) ${fmt(t.sandboxTrue)}`);
console.log(`  baseline: plain spawn true                   ${fmt(t.plainTrue)}`);
console.log(`destroy (kill, unmount, remove)                ${fmt(t.destroy)}`);
// node-pty sometimes keeps a killed pty's socket open for a while; a bench has nothing left to wait for.
process.exit(0);
