// Checkpoint cost on a 10,000-file repository: the first snapshot, then one after a one-file
// change (what each agent step pays), a restore, and the snapshot store's disk use.
//   node --import tsx bench/agent-checkpoints.ts      (needs bubblewrap and root, like the server)
//   DISK_BYTES=0 node --import tsx bench/agent-checkpoints.ts   (without the workspace's disk image)
import { execFileSync } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempProvider, uidBase } from '../server/workspace/testing.ts';

const FILES = Number(process.env.FILES ?? 10_000);
const local = await tempProvider(undefined, process.env.DISK_BYTES === undefined ? undefined : Number(process.env.DISK_BYTES));
const ws = await local.provider.create({ id: 'bench', source: { kind: 'empty' }, networkAllowed: false, uid: uidBase() });
const root = ws.files.root;
for (let d = 0; d < FILES / 100; d++) {
  await mkdir(path.join(root, `pkg${d}`), { recursive: true });
  await Promise.all(Array.from({ length: 100 }, (_, f) => writeFile(path.join(root, `pkg${d}`, `file${f}.ts`), `export const v${d}_${f} = ${d * f};\n`.repeat(20))));
}
// Files written by the benchmark (as root) must belong to the workspace uid, as the agent's would.
const owner = await stat(root);
execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, root]);

const time = async <T>(f: () => Promise<T>) => { const s = performance.now(); const r = await f(); return [r, performance.now() - s] as const; };
const [first, firstMs] = await time(() => ws.snapshot('first'));
await writeFile(path.join(root, 'pkg0', 'file0.ts'), 'changed\n');
const [, incrementalMs] = await time(() => ws.snapshot('after one change'));
const repeats: number[] = [];
for (let i = 0; i < 5; i++) {
  await writeFile(path.join(root, `pkg${i + 1}`, 'file1.ts'), `changed ${i}\n`);
  repeats.push((await time(() => ws.snapshot(`step ${i}`)))[1]);
}
const [, restoreMs] = await time(() => ws.restore(first.id));
const du = (p: string) => execFileSync('du', ['-sk', p]).toString().split('\t')[0];
console.log(JSON.stringify({
  files: FILES,
  workspaceKB: Number(du(root)),
  snapshotStoreKB: Number(du((await local.provider.paths('bench'))!.checkpoints)),
  firstSnapshotMs: Math.round(firstMs),
  oneFileChangeSnapshotMs: Math.round(incrementalMs),
  medianStepSnapshotMs: Math.round(repeats.sort((a, b) => a - b)[2]!),
  restoreMs: Math.round(restoreMs),
}, null, 2));
await local.cleanup();
