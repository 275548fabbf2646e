// What a workspace's creation costs as workspaces accumulate, phase by phase, without the server
// or the database: at each mark, the mean of the last ten creations (a template workspace and a
// terminal each, as bench:terminal makes them), then ten of each underlying operation in a row
// (`spawn` is `/bin/true` through the spawner, the floor under every other figure).
//   node --import tsx bench/workspace-scale.ts [marks=10,100,500]     (as root: it creates uids' sandboxes)
// Everything it makes is destroyed at the end; ten destroys at the last mark are timed.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createImage, mountImage, unmount } from '../server/workspace/disk-image.ts';
import { createLocalProvider } from '../server/workspace/local-provider.ts';
import type { Workspace } from '../server/workspace/provider.ts';
import { runProcess } from '../server/workspace/run-process.ts';

const MARKS = (process.argv[2] ?? '10,100,500').split(',').map(Number);
const UID_BASE = 60_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const timed = async (f: () => Promise<unknown>) => { const t = performance.now(); await f(); return performance.now() - t; };

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-bench-'));
await fs.chmod(base, 0o711);
const provider = await createLocalProvider({ dataDir: path.join(base, 'data'), unsafeNoSandbox: false, log: pino({ level: 'silent' }) });
const scratch = path.join(base, 'scratch');
await fs.mkdir(scratch);
const workspaces: Workspace[] = [];
try {
  for (const mark of MARKS) {
    const t: Record<string, number[]> = { create: [], spawn: [], mkfs: [], 'mkfs-ns': [], mount: [], umount: [], sandbox: [], nsenter: [], bwrap: [] };
    while (workspaces.length < mark) {
      const n = workspaces.length;
      const took = await timed(async () => {
        workspaces.push(await provider.create({ id: `scale-${n}`, source: { kind: 'template', template: 'node-ts' }, networkAllowed: false, uid: UID_BASE + n }));
      });
      if (n >= mark - 10) t.create!.push(took);
      await workspaces[n]!.openPty({ id: randomUUID(), cols: 80, rows: 24 }, { onData() {}, onExit() {}, onLost() {} });
    }
    // Each operation ten times in a row: alternating sandbox starts of different cgroups made every
    // other start pay ~7 ms more (seen in a probe), which is not what a workspace's own starts see.
    const ten = async (k: string, f: (i: number) => Promise<unknown>) => { for (let i = 0; i < 10; i++) t[k]!.push(await timed(() => f(i))); };
    const image = (i: number) => path.join(scratch, `${mark}-${i}.ext4`);
    const at = (i: number) => path.join(scratch, `${mark}-${i}`);
    await ten('spawn', () => runProcess(['/bin/true'], { cwd: '/', env: {}, timeoutMs: 10_000 }));
    // A sandbox start of the newest workspace as its launcher makes it (cgroup join, prlimit, nsenter, setpriv, bwrap),
    // without the cgroup join and prlimit (in its namespace), and setpriv + bwrap alone (in the host's).
    const launch = (workspaces.at(-1) as unknown as { launcher: { launch(s: object): { argv: string[]; cwd: string; env: Record<string, string> } } })
      .launcher.launch({ command: ['/bin/true'], interactive: false });
    const namespace = launch.argv.find((a) => a.startsWith('--mount='));
    for (let i = 0; i < 10; i++) await fs.mkdir(at(i));
    await ten('mkfs', (i) => createImage(image(i), 10 * 1024 ** 3));
    // As the spare image is made: in a namespace without the other workspaces' disks (a workspace's own is one).
    if (namespace) await ten('mkfs-ns', (i) => fs.rm(image(i)).then(() => createImage(image(i), 10 * 1024 ** 3, ['nsenter', namespace, '--'])));
    await ten('mount', (i) => mountImage(image(i), at(i)));
    await ten('umount', (i) => unmount(at(i)));
    for (let i = 0; i < 10; i++) await fs.rm(image(i));
    const run = (argv: string[]) => runProcess(argv, { cwd: launch.cwd, env: launch.env, timeoutMs: 10_000 });
    await ten('sandbox', () => run(launch.argv));
    const from = (program: string) => launch.argv.slice(launch.argv.findIndex((a) => a.endsWith(program)));
    if (launch.argv.some((a) => a.endsWith('nsenter'))) await ten('nsenter', () => run(from('nsenter')));
    await ten('bwrap', () => run(from('setpriv')));
    const mounts = (await fs.readFile('/proc/self/mountinfo', 'utf8')).trim().split('\n').length;
    console.log(`${mark} workspaces (${mounts} mounts, load ${os.loadavg()[0]!.toFixed(1)}): ${Object.entries(t).map(([k, v]) => `${k} ${median(v).toFixed(1)} ms`).join(' · ')}`);
  }
  // Destroying (each with its terminal open) at the last mark: killing, unmounting, deleting.
  const destroy: number[] = [];
  for (let i = 0; i < 10; i++) destroy.push(await timed(() => provider.destroy(`scale-${workspaces.length - 1 - i}`)));
  workspaces.splice(-10);
  console.log(`destroy at ${workspaces.length + 10}: ${median(destroy).toFixed(1)} ms`);
} finally {
  for (let i = 0; i < workspaces.length; i++) await provider.destroy(`scale-${i}`).catch(() => {});
  await provider.shutdown();
  await fs.rm(base, { recursive: true, force: true });
}
process.exit(0);
