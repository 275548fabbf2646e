// The git panel's and the tree's transfer costs on a sandboxed workspace: git status and a
// file's diff sides (each one git process in the sandbox), and a folder zipped through the
// workspace host (read per file, deflated on the server with fflate).
//   node --import tsx bench/git-transfers.ts [runs=20]      (as root: it creates a uid's sandbox)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { repoStatus } from '../server/git/status.ts';
import { git } from '../server/git/run.ts';
import { fileVersions } from '../server/git/versions.ts';
import { createLocalProvider } from '../server/workspace/local-provider.ts';
import { planZip, writeZip } from '../server/workspace/zip-folder.ts';

const RUNS = Number(process.argv[2] ?? 20);
const UID = 62_000 + Math.floor(Math.random() * 1000);
const FILES = 1_000;
const FILE_BYTES = 16 * 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(runs: number, f: () => Promise<unknown>): Promise<number> {
  await f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-git-'));
await fs.chmod(base, 0o711);
const provider = await createLocalProvider({ dataDir: path.join(base, 'data'), unsafeNoSandbox: false, log: pino({ level: 'silent' }) });
try {
  const ws = await provider.create({ id: 'bench', source: { kind: 'empty' }, networkAllowed: false, uid: UID });
  await ws.files.createDir('src');
  // Text that compresses like source code does: varied lines, repeated words.
  const text = (i: number) => Array.from({ length: FILE_BYTES / 32 }, (_, l) => `const v${i}_${l} = "${(i * l).toString(36)}";\n`.padEnd(32, ' ')).join('');
  for (let i = 0; i < FILES; i++) await ws.files.createFile(`src/f${i}.ts`, text(i));
  await git(ws, ['init', '--quiet', '--initial-branch=main']);
  await git(ws, ['add', '-A']);
  await git(ws, ['commit', '--quiet', '-m', 'seed'], { config: ['user.name=Bench', 'user.email=bench@example.test'] });
  for (let i = 0; i < 10; i++) await ws.files.write(`src/f${i}.ts`, `${text(i)}// changed\n`);

  const status = await time(RUNS, () => repoStatus(ws));
  const sides = await time(RUNS, () => fileVersions(ws, 'src/f1.ts', false));
  let zipBytes = 0;
  const zip = await time(Math.min(RUNS, 5), async () => {
    const out = new PassThrough();
    let n = 0;
    out.on('data', (c: Buffer) => { n += c.length; });
    const done = new Promise((resolve) => out.on('end', resolve));
    await writeZip(ws.files, await planZip(ws.files, 'src'), out);
    await done;
    zipBytes = n;
  });
  const mib = (FILES * FILE_BYTES) / 1024 / 1024;
  console.log(`git status (${FILES} tracked files, 10 changed), median of ${RUNS}: ${status.toFixed(1)} ms`);
  console.log(`diff sides of one changed file (index + HEAD blobs, work tree via the host), median of ${RUNS}: ${sides.toFixed(1)} ms`);
  console.log(`zip of ${FILES} files, ${mib.toFixed(1)} MiB → ${(zipBytes / 1024 / 1024).toFixed(2)} MiB, median of ${Math.min(RUNS, 5)}: ${zip.toFixed(0)} ms (${(mib / (zip / 1000)).toFixed(1)} MiB/s)`);
} finally {
  await provider.destroy('bench');
  await fs.rm(base, { recursive: true, force: true });
}
