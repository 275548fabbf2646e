// Each workspace's sandboxes start in a mount namespace of its own (mount-namespaces.ts): it holds
// the workspace's disk and no other workspace's, the disk is the host's own filesystem (what one
// side writes the other reads), and it goes with the workspace. Needs root, bwrap and loop devices.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loopDevicesOf } from './disk-image.ts';
import { createLocalProvider, type LocalProvider, type LocalWorkspace } from './local-provider.ts';
import { runInPty, silentLog, TEST_LIMITS, uidBase } from './testing.ts';

const base = uidBase();
const quota = 32 * 1024 * 1024;
const limits = { ...TEST_LIMITS, fileSizeBytes: 4 * quota };
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function dataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-mountns-test-'));
  await fs.chmod(dir, 0o711);
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function provider(dir: string): Promise<LocalProvider> {
  const p = await createLocalProvider({ dataDir: dir, unsafeNoSandbox: false, log: silentLog, diskQuotaBytes: quota, limits });
  cleanups.push(async () => {
    for (const id of await p.ids()) await p.destroy(id);
    await p.shutdown();
  });
  return p;
}

const spec = (id: string, uid: number) => ({ id, source: { kind: 'template' as const, template: 'node-ts' }, networkAllowed: false, uid });

/** The namespace the workspace's sandboxes enter, as its launcher's nsenter names it. */
function namespaceOf(w: LocalWorkspace): string {
  const flag = w.launcher.launch({ command: ['true'], interactive: false }).argv.find((a) => a.startsWith('--mount='));
  expect(flag).toBeDefined();
  return flag!.slice('--mount='.length);
}

/** The mount points a process entering the workspace's namespace sees. */
function mountsIn(w: LocalWorkspace): string[] {
  return execFileSync('nsenter', [`--mount=${namespaceOf(w)}`, 'cat', '/proc/self/mountinfo'], { encoding: 'utf8' })
    .split('\n').filter(Boolean).map((l) => l.split(' ')[4]!);
}

describe('a mount namespace per workspace', () => {
  it('holds its own disk and no other workspace\'s, the same filesystem as the host\'s mount', async () => {
    const p = await provider(await dataDir());
    const a = await p.create(spec('ns-a', base + 41)) as LocalWorkspace;
    await p.create(spec('ns-b', base + 42));
    const inA = mountsIn(a);
    expect(inA).toContain(path.join(p.storageDir, 'volumes', 'ns-a'));
    expect(inA.filter((m) => m.startsWith(`${p.storageDir}/`))).toEqual([path.join(p.storageDir, 'volumes', 'ns-a')]);
    expect(inA.length).toBeLessThan((await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter(Boolean).length);

    // The template's files (copied in a sandbox) are on the host's mount; a sandbox writes, the host reads, and back.
    const r = await a.exec('cat package.json > /dev/null && echo READ; echo from-sandbox > made.txt');
    expect(r.stdout).toBe('READ\n');
    expect(await fs.readFile(path.join(p.storageDir, 'volumes', 'ns-a', 'files', 'made.txt'), 'utf8')).toBe('from-sandbox\n');
    await fs.writeFile(path.join(p.storageDir, 'volumes', 'ns-a', 'files', 'host.txt'), 'from-host\n');
    const term = await runInPty(a, 'cat host.txt');
    expect(term.output).toContain('from-host');
  });

  it('goes with its workspace, and the disk\'s loop device with it', async () => {
    const p = await provider(await dataDir());
    const w = await p.create(spec('ns-gone', base + 43)) as LocalWorkspace;
    const held = namespaceOf(w);
    const image = path.join(p.storageDir, 'disk-images', 'ns-gone.ext4');
    const backing = () => loopDevicesOf(image);
    expect(await backing()).toHaveLength(1);
    await p.destroy('ns-gone');
    // Not held any more (the descriptor is closed), so the disk's last mount went with it.
    await expect(fs.readlink(held)).rejects.toThrow();
    await expect.poll(backing).toHaveLength(0);
  });

  it('a later server process makes a workspace\'s namespace again, and new ones without the disks mounted before it started', async () => {
    const dir = await dataDir();
    const first = await provider(dir);
    await first.create(spec('ns-old', base + 44));
    // A second provider on the same storage while the first still runs: as after a crash, the disk is mounted already.
    const second = await provider(dir);
    const old = await second.open(spec('ns-old', base + 44)) as LocalWorkspace;
    expect(mountsIn(old).filter((m) => m.startsWith(`${second.storageDir}/`))).toEqual([path.join(second.storageDir, 'volumes', 'ns-old')]);
    expect((await old.exec('cat package.json > /dev/null && echo READ')).stdout).toBe('READ\n');
    const fresh = await second.create(spec('ns-new', base + 45)) as LocalWorkspace;
    const inNew = mountsIn(fresh);
    expect(inNew.filter((m) => m.startsWith(`${second.storageDir}/`))).toEqual([path.join(second.storageDir, 'volumes', 'ns-new')]);
  });
});
