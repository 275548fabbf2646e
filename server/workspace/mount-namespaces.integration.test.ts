// Each workspace's sandboxes start in a mount namespace of its own (mount-namespaces.ts): it holds
// the workspace's disk and no other workspace's, the disk is the host's own filesystem (what one
// side writes the other reads), and it goes with the workspace. Needs root, bwrap and loop devices.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMountPoint } from './disk-image.ts';
import { createLocalProvider, type LocalProvider } from './local-provider.ts';
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

/** The mount points of a namespace bound at `file`, as a process entering it sees them. */
function mountsIn(file: string): string[] {
  return execFileSync('nsenter', [`--mount=${file}`, 'cat', '/proc/self/mountinfo'], { encoding: 'utf8' })
    .split('\n').filter(Boolean).map((l) => l.split(' ')[4]!);
}

describe('a mount namespace per workspace', () => {
  it('holds its own disk and no other workspace\'s, the same filesystem as the host\'s mount', async () => {
    const p = await provider(await dataDir());
    const a = await p.create(spec('ns-a', base + 41));
    await p.create(spec('ns-b', base + 42));
    const nsA = path.join(p.storageDir, 'mountns', 'ns-a');
    expect(await isMountPoint(nsA)).toBe(true);
    const inA = mountsIn(nsA);
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
    await p.create(spec('ns-gone', base + 43));
    const file = path.join(p.storageDir, 'mountns', 'ns-gone');
    const image = path.join(p.storageDir, 'disk-images', 'ns-gone.ext4');
    const devices = (await fs.readdir('/sys/block')).filter((d) => d.startsWith('loop'));
    const backing = async () => (await Promise.all(devices.map((d) => fs.readFile(`/sys/block/${d}/loop/backing_file`, 'utf8').catch(() => '')))).filter((b) => b.trim() === image);
    expect(await backing()).toHaveLength(1);
    await p.destroy('ns-gone');
    expect(await isMountPoint(file)).toBe(false);
    await expect(fs.stat(file)).rejects.toThrow();
    await expect.poll(backing).toHaveLength(0);
  });

  it('a later server process reuses a workspace\'s namespace, and makes new ones without the disks mounted before it started', async () => {
    const dir = await dataDir();
    const first = await provider(dir);
    await first.create(spec('ns-old', base + 44));
    // A second provider on the same storage, the first never shut down: a server that crashed.
    const file = path.join(first.storageDir, 'mountns', 'ns-old');
    const before = (await fs.stat(file)).ino;
    const second = await provider(dir);
    const old = await second.open(spec('ns-old', base + 44));
    expect((await fs.stat(file)).ino).toBe(before);
    expect((await old.exec('cat package.json > /dev/null && echo READ')).stdout).toBe('READ\n');
    await second.create(spec('ns-new', base + 45));
    const inNew = mountsIn(path.join(second.storageDir, 'mountns', 'ns-new'));
    expect(inNew.filter((m) => m.startsWith(`${second.storageDir}/`))).toEqual([path.join(second.storageDir, 'volumes', 'ns-new')]);
  });
});
