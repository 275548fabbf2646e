// Search across files and quick open's file list in a sandboxed workspace of many files:
// ripgrep inside the sandbox beside the JS fallback over the sandboxed file service.
//   node --import tsx bench/search.ts [files=5000] [runs=5]      (as root: it creates a uid's sandbox)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { searchTargetOf } from '../server/search/target.ts';
import { listFiles, searchText, type SearchTarget } from '../server/search/text-search.ts';
import { createLocalProvider } from '../server/workspace/local-provider.ts';

const FILES = Number(process.argv[2] ?? 5000);
const RUNS = Number(process.argv[3] ?? 5);
const UID = 62_000 + Math.floor(Math.random() * 1000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(label: string, fn: () => Promise<unknown>) {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  console.log(`${label}: median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
}

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-search-'));
await fs.chmod(base, 0o711);
const provider = await createLocalProvider({ dataDir: path.join(base, 'data'), unsafeNoSandbox: false, log: pino({ level: 'silent' }) });
try {
  const ws = await provider.create({ id: 'bench-search', source: { kind: 'empty' }, networkAllowed: false, uid: UID });
  // 50 folders of source-like files, one in ten containing the needle.
  const body = (i: number) => Array.from({ length: 40 }, (_, l) => `export const value${l} = ${i * l}; // line ${l}${l === 20 && i % 10 === 0 ? ' needle' : ''}`).join('\n');
  for (let d = 0; d < 50; d++) await ws.files.createDir(`pkg${d}`);
  for (let i = 0; i < FILES; i++) await ws.files.createFile(`pkg${i % 50}/file${i}.ts`, body(i));
  const rg = searchTargetOf(ws);
  const js: SearchTarget = { ...rg, exec: async (cmd, o) => (cmd[0] === 'rg' ? { exitCode: 127, signal: null, stdout: '', stderr: 'rg: not found', timedOut: false, truncated: false, durationMs: 0 } : ws.exec(cmd, o)) };
  const q = { pattern: 'needle', regex: false, caseSensitive: false, path: '.', maxResults: 2000 };
  console.log(`${FILES} files of 40 lines, ${FILES / 10} matches, ${RUNS} runs each`);
  await time('search.text, ripgrep in the sandbox', () => searchText(rg, q));
  await time('search.text, JS fallback over the workspace host', () => searchText(js, q));
  await time('search.files (quick open list), ripgrep', () => listFiles(rg, 20_000));
  await time('search.files (quick open list), JS fallback', () => listFiles(js, 20_000));
} finally {
  for (const id of await provider.ids()) await provider.destroy(id);
  await fs.rm(base, { recursive: true, force: true });
}
