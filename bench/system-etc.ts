// What publishing the sandbox's /etc costs at server start: the first time (a new storage root)
// and when the copy exists already (every later start while the host's files are unchanged).
//   node --import tsx bench/system-etc.ts [runs=5]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { publishSystemEtc } from '../server/workspace/system-etc.ts';

const RUNS = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const first: number[] = [];
const again: number[] = [];
let entries = 0;
for (let i = 0; i < RUNS; i++) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-etc-'));
  try {
    let t = performance.now();
    const copy = await publishSystemEtc(root);
    first.push(performance.now() - t);
    t = performance.now();
    await publishSystemEtc(root);
    again.push(performance.now() - t);
    entries = (await fs.readdir(copy, { recursive: true })).length;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
console.log(`${entries} entries (load ${os.loadavg()[0]!.toFixed(1)}): first ${median(first).toFixed(1)} ms, unchanged ${median(again).toFixed(1)} ms (medians of ${RUNS})`);
