// Where workspaces live and what bounds them: a data dir nobody else can traverse (a clone under
// /root), the per-workspace disk image, and the cgroups a workspace leaves behind.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createImage, DiskImageError, loopDevicesOf, mountImage, untilImageClosed } from './disk-image.ts';
import { FileError } from './file-errors.ts';
import { createLocalProvider, type LocalProvider } from './local-provider.ts';
import { runInPty, silentLog, TEST_LIMITS, uidBase } from './testing.ts';
import { pidsOfUid } from './uid-processes.ts';

const MiB = 1024 * 1024;
const base = uidBase();
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A provider whose every workspace is destroyed (unmounted, removed) after the file. */
async function provider(dataDir: string, extra: { diskQuotaBytes?: number; diskImages?: boolean; limits?: typeof TEST_LIMITS } = {}): Promise<LocalProvider> {
  const p = await createLocalProvider({ dataDir, unsafeNoSandbox: false, log: silentLog, ...extra, limits: extra.limits ?? TEST_LIMITS });
  cleanups.push(async () => {
    for (const id of await p.ids()) await p.destroy(id);
    if (!p.storageDir.startsWith(dataDir)) await fs.rm(p.storageDir, { recursive: true, force: true });
  });
  return p;
}

async function tempDir(mode: number): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-storage-test-'));
  await fs.chmod(dir, mode);
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('a data dir under a folder only root can enter (a clone under /root)', () => {
  it('starts, creates a workspace elsewhere, and runs a command and a terminal in it', async () => {
    const home = await tempDir(0o700);
    const dataDir = path.join(home, 'tether', 'data');
    const p = await provider(dataDir);
    expect(p.storageDir.startsWith('/var/lib/tether/')).toBe(true);
    expect(((await fs.stat(p.storageDir)).mode & 0o777)).toBe(0o711);

    const ws = await p.create({ id: 'under-root', source: { kind: 'template', template: 'node-ts' }, networkAllowed: false, uid: base + 1 });
    const r = await ws.exec('id -u; cat package.json > /dev/null && echo READ; echo hi > made.txt');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${base + 1}\nREAD\n`);
    const term = await runInPty(ws, 'pwd; cat made.txt; ls /workspace | wc -l');
    expect(term.exitCode).toBe(0);
    expect(term.output).toMatch(/\/workspace\r?\nhi\r?\n\s*5/);
    // The database side of the data dir holds no workspace.
    expect(await fs.readdir(dataDir)).not.toContain('volumes');
  });

  it('names TETHER_WORKSPACES_DIR when that is under an unreachable folder', async () => {
    const home = await tempDir(0o700);
    await expect(createLocalProvider({ dataDir: path.join(home, 'data'), workspacesDir: path.join(home, 'ws'), unsafeNoSandbox: false, log: silentLog }))
      .rejects.toThrow(/TETHER_WORKSPACES_DIR=.* is under .* which other users cannot traverse/);
  });
});

describe('disk quota (a loop-mounted image per workspace)', () => {
  const quota = 32 * MiB;
  // Files may be as large as the quota, so the image (not prlimit --fsize) is what stops them.
  const limits = { ...TEST_LIMITS, fileSizeBytes: 4 * quota };

  it('this host can loop-mount images', async () => {
    const p = await provider(await tempDir(0o711), { diskQuotaBytes: quota, limits });
    expect(p.capabilities().diskQuota).toBe('image');
  });

  it('stops sandboxed writes and file API writes at the quota, without filling the host', async () => {
    const dataDir = await tempDir(0o711);
    const p = await provider(dataDir, { diskQuotaBytes: quota, limits });
    const ws = await p.create({ id: 'quota', source: { kind: 'empty' }, networkAllowed: false, uid: base + 2 });
    const paths = (await p.paths('quota'))!;
    const hostFreeBefore = (await fs.statfs(dataDir)).bavail * (await fs.statfs(dataDir)).bsize;

    const r = await ws.exec('head -c 100M /dev/zero > big; echo exit=$?; dd if=/dev/zero of=more bs=1M count=10 2>&1 | head -1');
    expect(r.stderr).toMatch(/No space left on device/);
    expect(r.stdout).toMatch(/exit=1/);
    expect(r.stdout).toMatch(/No space left on device/);
    const big = await fs.stat(path.join(paths.files, 'big'));
    expect(big.size).toBeLessThan(quota);

    const write = ws.files.write('notes.md', Buffer.alloc(4 * MiB, 'x'));
    await expect(write).rejects.toBeInstanceOf(FileError);
    await expect(write).rejects.toMatchObject({ code: 'NO_SPACE', message: expect.stringMatching(/disk quota is used up/) });

    // What the host's filesystem holds for this workspace is the image: at most the quota.
    const image = await fs.stat(paths.image!);
    expect(image.blocks * 512).toBeLessThanOrEqual(quota);
    const hostFreeAfter = (await fs.statfs(dataDir)).bavail * (await fs.statfs(dataDir)).bsize;
    // Other tests share the disk: allow their noise, but not the 110 MiB this workspace tried.
    expect(hostFreeBefore - hostFreeAfter).toBeLessThan(quota + 64 * MiB);

    // A full workspace can still be opened again (after a stop), and freeing space makes it writable.
    await ws.close();
    const again = await p.open({ id: 'quota', source: { kind: 'empty' }, networkAllowed: false, uid: base + 2 });
    expect((await again.exec('rm big more')).exitCode).toBe(0);
    await expect(again.files.write('notes.md', 'fits now\n')).resolves.toMatchObject({ path: 'notes.md' });
  });

  it('counts checkpoints in the same quota', async () => {
    const p = await provider(await tempDir(0o711), { diskQuotaBytes: quota, limits });
    const ws = await p.create({ id: 'checkpoints', source: { kind: 'empty' }, networkAllowed: false, uid: base + 3 });
    const paths = (await p.paths('checkpoints'))!;
    expect(paths.checkpoints.startsWith(paths.volume)).toBe(true);
    // Incompressible data: the checkpoint's objects take as much room as the file.
    await ws.exec('head -c 20M /dev/urandom > data.bin');
    await expect(ws.snapshot('full')).rejects.toThrow(/No space left on device|unable to write|write error/i);
  });

  it('frees the loop device with the mount, and does not keep one when the mount fails', async () => {
    const p = await provider(await tempDir(0o711), { diskQuotaBytes: quota, limits });
    await p.create({ id: 'loop', source: { kind: 'empty' }, networkAllowed: false, uid: base + 5 });
    const { image, volume } = (await p.paths('loop'))!;
    expect(await loopDevicesOf(image!)).toHaveLength(1);
    await p.destroy('loop');
    // Freed at once, or, when the detach found the device open (a spare image's mke2fs opens loop
    // devices to see whether its image is attached), at that opener's close: the kernel's autoclear.
    await expect.poll(() => loopDevicesOf(image!)).toEqual([]);
    await expect(fs.access(volume)).rejects.toThrow();

    const dir = await tempDir(0o700);
    const notExt4 = path.join(dir, 'zeros.img');
    await fs.writeFile(notExt4, Buffer.alloc(MiB));
    await fs.mkdir(path.join(dir, 'mnt'));
    await expect(mountImage(notExt4, path.join(dir, 'mnt'))).rejects.toBeInstanceOf(DiskImageError);
    await expect.poll(() => loopDevicesOf(notExt4)).toEqual([]);
  });

  it('makes the next workspace\'s image ahead, and leaves no spare behind a stop or a crash', async () => {
    const dataDir = await tempDir(0o711);
    const p = await provider(dataDir, { diskQuotaBytes: quota, limits });
    const images = path.join(p.storageDir, 'disk-images');
    const spares = async () => (await fs.readdir(images)).filter((n) => n.startsWith('.spare-'));
    const spareMade = async () => {
      for (let i = 0; i < 200 && (await spares()).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      const [name] = await spares();
      return (await fs.stat(path.join(images, name!))).ino;
    };
    await p.create({ id: 'first', source: { kind: 'empty' }, networkAllowed: false, uid: base + 6 });
    const spare = await spareMade();
    // The second workspace's disk is that spare, and a new one is made for the third.
    const second = await p.create({ id: 'second', source: { kind: 'empty' }, networkAllowed: false, uid: base + 7 });
    expect((await fs.stat((await p.paths('second'))!.image!)).ino).toBe(spare);
    expect((await second.exec('echo fits > a.txt && cat a.txt')).stdout).toBe('fits\n');
    expect(await spareMade()).not.toBe(spare);
    await p.shutdown();
    expect(await spares()).toEqual([]);

    // One left by a server that crashed while making it is deleted when the next one starts.
    await fs.writeFile(path.join(images, '.spare-crashed.ext4'), 'half made');
    await createLocalProvider({ dataDir, unsafeNoSandbox: false, limits, diskQuotaBytes: quota, log: silentLog });
    expect(await spares()).toEqual([]);
  });

  it('unmounts on shutdown and mounts the image again when the workspace is opened after a restart', async () => {
    const dataDir = await tempDir(0o711);
    const first = await provider(dataDir, { diskQuotaBytes: quota, limits });
    const spec = { id: 'restart', source: { kind: 'empty' as const }, networkAllowed: false, uid: base + 4 };
    await (await first.create(spec)).files.write('kept.txt', 'kept\n');
    const { volume } = (await first.paths('restart'))!;
    // A clean stop unmounts (as a host reboot would); the image stays.
    await first.shutdown();
    await expect(fs.access(path.join(volume, 'files'))).rejects.toThrow();

    const second = await createLocalProvider({ dataDir, unsafeNoSandbox: false, limits, diskQuotaBytes: quota, log: silentLog });
    const ws = await second.open(spec);
    const kept = await ws.files.read('kept.txt');
    expect(kept.kind === 'text' && kept.content).toBe('kept\n');
    expect((await ws.exec('head -c 100M /dev/zero > big')).stderr).toMatch(/No space left on device/);
    await second.shutdown();
  });

  it('mounts an image again only once no loop device is left on it (a filesystem still closing elsewhere)', async () => {
    const image = path.join(await tempDir(0o700), 'closing.ext4');
    await createImage(image, 16 * MiB);
    // What a released host still exiting leaves: its namespace's mount keeps the device bound.
    const device = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
    let closed = false;
    const waiting = untilImageClosed(image).then(() => { closed = true; });
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false);
    execFileSync('losetup', ['--detach', device]);
    await waiting;
    expect(await loopDevicesOf(image)).toEqual([]);
  });
});

describe('workspaces made before volumes/ existed', () => {
  it('are opened in place, bounded by the watchdog, and destroyed', async () => {
    const dataDir = await tempDir(0o711);
    const uid = base + 10;
    const legacy = path.join(dataDir, 'workspaces', 'old');
    await fs.mkdir(legacy, { recursive: true });
    await fs.writeFile(path.join(legacy, 'kept.txt'), 'from before\n');
    execFileSync('chown', ['-R', `${uid}:${uid}`, legacy]);
    const p = await provider(dataDir, { diskQuotaBytes: 32 * MiB });
    expect(await p.ids()).toContain('old');
    const ws = await p.open({ id: 'old', source: { kind: 'empty' }, networkAllowed: false, uid });
    expect((await ws.exec('cat kept.txt; id -u')).stdout).toBe(`from before\n${uid}\n`);
    expect(await ws.checkDisk()).toMatchObject({ enforcement: 'watchdog', full: false });
    await expect(p.create({ id: 'old', source: { kind: 'empty' }, networkAllowed: false, uid })).rejects.toThrow(/already exists/);
    await p.destroy('old');
    await expect(fs.access(legacy)).rejects.toThrow();
  });
});

describe('disk quota where loop mounts do not work (the watchdog)', () => {
  it('stops a workspace over its quota and refuses new processes until it has room', async () => {
    const quota = 32 * MiB;
    const p = await provider(await tempDir(0o711), { diskQuotaBytes: quota, diskImages: false, limits: { ...TEST_LIMITS, fileSizeBytes: 4 * quota } });
    expect(p.capabilities().diskQuota).toBe('watchdog');
    const uid = base + 9;
    const ws = await p.create({ id: 'watchdog', source: { kind: 'empty' }, networkAllowed: false, uid });
    expect(await ws.checkDisk()).toMatchObject({ enforcement: 'watchdog', quotaBytes: quota, full: false });
    expect((await ws.exec('head -c 40M /dev/zero > big')).exitCode).toBe(0);
    await ws.openPty({ id: randomUUID(), cols: 80, rows: 24, command: ['/bin/sh', '-c', 'exec sleep 1000'] }, { onData() {}, onExit() {}, onLost() {} });
    await new Promise((r) => setTimeout(r, 300));
    expect((await pidsOfUid(uid)).length).toBeGreaterThan(0);

    const over = await ws.checkDisk();
    expect(over).toMatchObject({ enforcement: 'watchdog', full: true });
    expect(over!.usedBytes).toBeGreaterThan(quota);
    expect(await pidsOfUid(uid)).toEqual([]);
    await expect(ws.exec('true')).rejects.toThrow(/uses 40(\.0)? MiB of its 32 MiB disk quota: its processes were stopped and new ones are refused until files are deleted/);
    await expect(ws.openPty({ id: randomUUID(), cols: 80, rows: 24 }, { onData() {}, onExit() {}, onLost() {} })).rejects.toThrow(/disk quota/);

    await ws.files.delete('big');
    expect(await ws.checkDisk()).toMatchObject({ full: false });
    expect((await ws.exec('echo back')).stdout).toBe('back\n');
  });
});

describe('cgroups of workspaces', () => {
  const exists = (p: string) => fs.access(p).then(() => true, () => false);
  /** The workspace's cgroup directories (LocalWorkspace exposes its cgroup). */
  const cgroupDirs = (w: unknown) => (w as { cgroup: { procsFiles(): string[] } }).cgroup.procsFiles().map((f) => path.dirname(f));
  const spec = (id: string, uid: number) => ({ id, source: { kind: 'empty' as const }, networkAllowed: false, uid });

  it('are removed when a workspace is closed (stopped) or destroyed', async () => {
    const p = await provider(await tempDir(0o711));
    const stopped = await p.create(spec('cg-stop', base + 5));
    const destroyed = await p.create(spec('cg-destroy', base + 8));
    const dirs = { stopped: cgroupDirs(stopped), destroyed: cgroupDirs(destroyed) };
    expect(dirs.stopped.length).toBeGreaterThan(0);
    await stopped.exec('true');
    for (const d of [...dirs.stopped, ...dirs.destroyed]) expect(await exists(d)).toBe(true);
    await stopped.close();
    await p.destroy('cg-destroy');
    for (const d of [...dirs.stopped, ...dirs.destroyed]) expect(await exists(d)).toBe(false);
  });

  it('kill everything of a workspace, and a host outside them (started under another cgroup) is still found', async () => {
    const p = await provider(await tempDir(0o711));
    const uid = base; // no other workspace here has it: pidsOfUid would count that one's processes too
    const ws = await p.create(spec('cg-kill', uid));
    await ws.openPty({ id: randomUUID(), cols: 80, rows: 24, command: ['/bin/sh', '-c', 'sleep 1000 & exec sleep 1001'] }, { onData() {}, onExit() {}, onLost() {} });
    void ws.exec('exec sleep 1002', { timeoutMs: 60_000 });
    await expect.poll(async () => (await pidsOfUid(uid)).length).toBeGreaterThan(3);
    await ws.killAll();
    await expect.poll(() => pidsOfUid(uid), { timeout: 10_000 }).toEqual([]);

    // As a host that outlived a server whose own cgroup was another: moved to each parent cgroup.
    await ws.openPty({ id: randomUUID(), cols: 80, rows: 24, command: ['/bin/sh', '-c', 'sleep 1000 & exec sleep 1001'] }, { onData() {}, onExit() {}, onLost() {} });
    await expect.poll(async () => (await pidsOfUid(uid)).length).toBeGreaterThan(2);
    // Until none is left: the terminal's shell may still be forking its sleeps.
    const moveOut = async (dir: string) => {
      const pids = (await fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean);
      for (const pid of pids) await fs.writeFile(path.join(path.dirname(dir), 'cgroup.procs'), pid).catch(() => {});
      return pids.length;
    };
    for (const dir of cgroupDirs(ws)) await expect.poll(() => moveOut(dir)).toBe(0);
    await ws.killAll();
    await expect.poll(() => pidsOfUid(uid), { timeout: 10_000 }).toEqual([]);
    await p.destroy('cg-kill');
  });

  it('left by a previous run are swept at start-up, and only this installation\'s', async () => {
    const dataDir = await tempDir(0o711);
    const crashed = await provider(dataDir);
    const other = await provider(await tempDir(0o711));
    const stale = await crashed.create(spec('cg-stale', base + 6));
    const bystander = await other.create(spec('cg-other', base + 7));
    const staleDirs = cgroupDirs(stale);
    const otherDirs = cgroupDirs(bystander);
    // The "crashed" server never closes its workspace: its cgroups stay behind, with a process
    // (a command's, not a workspace host's: a live host keeps its cgroup, see pty-host tests).
    void stale.exec('exec sleep 1000', { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300));

    const restarted = await createLocalProvider({ dataDir, unsafeNoSandbox: false, limits: TEST_LIMITS, log: silentLog });
    for (const d of staleDirs) expect(await exists(d)).toBe(false);
    for (const d of otherDirs) expect(await exists(d)).toBe(true);
    await restarted.shutdown();
  });
});
