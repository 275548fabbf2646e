// What the workspace host adds to the file API: read, write and list through the host (one
// sandboxed process per workspace, framed JSON over its stdio) beside the same work done by the
// server directly with node:fs (what the file service did before, as root), plus the host's
// cold start and memory.
//   node --import tsx bench/workspace-host.ts [runs=300]      (as root: it creates a uid's sandbox)
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createLocalProvider } from '../server/workspace/local-provider.ts';
import { pidsOfUid } from '../server/workspace/uid-processes.ts';

const RUNS = Number(process.argv[2] ?? 300);
const UID = 61_000 + Math.floor(Math.random() * 1000);
const KiB = 1024;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(3)} ms, p95 ${pct(xs, 0.95).toFixed(3)} ms`;

/** Host and direct runs alternate, so both see the same background load. */
async function pair(host: () => Promise<unknown>, direct: () => Promise<unknown>): Promise<[number[], number[]]> {
  for (let i = 0; i < 20; i++) { await host(); await direct(); }
  const h: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await host();
    h.push(performance.now() - t);
    t = performance.now();
    await direct();
    d.push(performance.now() - t);
  }
  return [h, d];
}

async function hostRss(): Promise<string> {
  const lines: string[] = [];
  for (const pid of await pidsOfUid(UID)) {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    const name = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0];
    lines.push(`${name} ${/^VmRSS:\s+(.*)$/m.exec(status)?.[1]}`);
  }
  return lines.join(', ');
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-host-'));
await fs.chmod(base, 0o711);
const provider = await createLocalProvider({ dataDir: path.join(base, 'data'), unsafeNoSandbox: false, log: pino({ level: 'silent' }) });
try {
  const ws = await provider.create({ id: 'bench', source: { kind: 'empty' }, networkAllowed: false, uid: UID });
  const files = ws.files;
  const root = files.root;

  const t0 = performance.now();
  await files.list('');
  const coldMs = performance.now() - t0;
  const idleRss = await hostRss();

  const small = 'x'.repeat(KiB);
  const large = 'y'.repeat(1024 * KiB);
  await files.createDir('many');
  for (let i = 0; i < 100; i++) await files.createFile(`many/f${i}.txt`, small);
  await files.write('small.txt', small);
  await files.write('large.txt', large);

  // The same work in the server process, as the old file service did it (minus its checks).
  const direct = {
    read: async (rel: string) => {
      const h = await fs.open(path.join(root, rel), 'r');
      try { const b = await h.readFile(); sha(b); return b.toString('utf8'); } finally { await h.close(); }
    },
    write: async (rel: string, s: string) => {
      const h = await fs.open(path.join(root, rel), 'w');
      try { await h.write(s); await h.stat(); sha(Buffer.from(s)); } finally { await h.close(); }
    },
    list: async (rel: string) => {
      const dir = path.join(root, rel);
      return Promise.all((await fs.readdir(dir)).map((n) => fs.lstat(path.join(dir, n))));
    },
  };

  const rows: Array<[string, [number[], number[]]]> = [
    ['read 1 KiB', await pair(() => files.read('small.txt'), () => direct.read('small.txt'))],
    ['read 1 MiB', await pair(() => files.read('large.txt'), () => direct.read('large.txt'))],
    ['write 1 KiB', await pair(() => files.write('small.txt', small), () => direct.write('small.txt', small))],
    ['write 1 MiB', await pair(() => files.write('large.txt', large), () => direct.write('large.txt', large))],
    ['list 100 entries', await pair(() => files.list('many'), () => direct.list('many'))],
  ];
  console.log(`runs per row: ${RUNS}`);
  console.log(`host cold start (first request of a workspace, sandbox launch included): ${coldMs.toFixed(1)} ms`);
  for (const [name, [host, fsOnly]] of rows) {
    console.log(`${name.padEnd(18)} host: ${fmt(host)}   direct node:fs: ${fmt(fsOnly)}   added p50: ${(pct(host, 0.5) - pct(fsOnly, 0.5)).toFixed(3)} ms`);
  }
  console.log(`host RSS after its first request: ${idleRss}`);
  console.log(`host RSS after the runs above: ${await hostRss()}`);
} finally {
  await provider.destroy('bench');
  await fs.rm(base, { recursive: true, force: true });
}
