// What starting a process costs the server's event loop, from a server-sized process: spawning
// directly (what the server did before issue 12) against asking the spawner (spawner.ts).
//   node --import tsx bench/spawn-cost.ts [count=50] [heapMiB=250]
// The heap is filled with live objects first, because fork's cost grows with the parent's size.
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { startProcess, startSpawner } from '../server/workspace/spawner.ts';

const COUNT = Number(process.argv[2] ?? 50);
const HEAP_MIB = Number(process.argv[3] ?? 250);

const ballast: number[][] = [];
for (let i = 0; i < HEAP_MIB; i++) ballast.push(Array.from({ length: 128 * 1024 }, (_, j) => j)); // ~1 MiB each
startSpawner();

function direct(): Promise<void> {
  return new Promise((resolve) => {
    const c = spawn('/bin/true', [], { detached: true, stdio: 'pipe' });
    c.on('close', () => resolve());
  });
}

function viaSpawner(): Promise<void> {
  return new Promise((resolve, reject) => {
    startProcess(['/bin/true'], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, output: 'pipe', onExit: () => resolve() }).catch(reject);
  });
}

async function measure(name: string, start: () => Promise<void>) {
  const blocked: number[] = [];
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    // The synchronous part of starting one: what the event loop cannot do meanwhile.
    const s = performance.now();
    const done = start();
    blocked.push(performance.now() - s);
    await done;
  }
  const wall = performance.now() - t0;
  h.disable();
  blocked.sort((a, b) => a - b);
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`${name}: event loop blocked per start p50 ${blocked[COUNT >> 1]!.toFixed(2)} ms, max ${blocked.at(-1)!.toFixed(2)} ms; ` +
    `wall per process ${(wall / COUNT).toFixed(1)} ms; loop delay max ${(h.max / 1e6).toFixed(1)} ms (RSS ${rss.toFixed(0)} MiB, load ${loadavg()[0]!.toFixed(1)})`);
}

await viaSpawner(); // the spawner is up
for (let round = 0; round < 2; round++) {
  await measure('direct spawn ', direct);
  await measure('via spawner  ', viaSpawner);
}
console.log(`(ballast of ${ballast.length} MiB kept alive)`);
process.exit(0);
