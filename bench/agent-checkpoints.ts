// Checkpoint cost on a 10,000-file repository: the first snapshot, then one after a one-file
// change (what each agent step pays), a restore, and the snapshot store's disk use. Then the
// same workspace as a git repository of its own (all files committed), whose refs and objects
// checkpoints also preserve: the first snapshot with it, a step whose .git is unchanged, a step
// after one new commit, and a restore after `rm -rf .git`.
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
const store = (await local.provider.paths('bench'))!.checkpoints;
const storeKB = Number(du(store));

const git = async (cmd: string) => {
  const r = await ws.exec(`git -c user.name=b -c user.email=b@b ${cmd}`, { timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new Error(`git ${cmd}: ${r.stderr}`);
};
await git('init -q -b main');
await git('add -A');
await git('commit -q -m all');
const [, repoFirstMs] = await time(() => ws.snapshot('first with .git'));
const unchanged: number[] = [];
const committed: number[] = [];
for (let i = 0; i < 5; i++) {
  await writeFile(path.join(root, `pkg${i + 10}`, 'file2.ts'), `changed again ${i}\n`);
  unchanged.push((await time(() => ws.snapshot(`unchanged .git ${i}`)))[1]);
  await git(`commit -q -am step${i}`);
  committed.push((await time(() => ws.snapshot(`after commit ${i}`)))[1]);
}
const workspaceGitKB = Number(du(path.join(root, '.git')));
const beforeDelete = await ws.snapshot('before rm -rf .git');
await ws.exec('rm -rf .git');
const [, repoRestoreMs] = await time(() => ws.restore(beforeDelete.id));
const median = (xs: number[]) => Math.round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
console.log(JSON.stringify({
  files: FILES,
  workspaceKB: Number(du(root)),
  snapshotStoreKB: storeKB,
  firstSnapshotMs: Math.round(firstMs),
  oneFileChangeSnapshotMs: Math.round(incrementalMs),
  medianStepSnapshotMs: median(repeats),
  restoreMs: Math.round(restoreMs),
  withRepo: {
    workspaceGitKB,
    firstSnapshotMs: Math.round(repoFirstMs),
    medianStepSnapshotUnchangedGitMs: median(unchanged),
    medianStepSnapshotAfterCommitMs: median(committed),
    restoreAfterRmGitMs: Math.round(repoRestoreMs),
    snapshotStoreKB: Number(du(store)),
  },
}, null, 2));
await local.cleanup();
