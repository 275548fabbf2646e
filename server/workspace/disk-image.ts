// Per-workspace disk quota: a sparse ext4 image, loop-mounted (nosuid,nodev) where the workspace
// lives. The kernel then answers ENOSPC inside the workspace once the image is full, whoever
// writes (a sandboxed process, the file API, a checkpoint), and the host filesystem only ever
// holds what the images hold. Only the server (root) mounts and unmounts; the image files sit in
// a root-only directory no sandbox binds.
import fs from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from './run-process.ts';

const TOOL_TIMEOUT_MS = 60_000;
export const HOST_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
/** How a workspace's disk is mounted, on the host and in its own mount namespace (mount-namespaces.ts). */
export const DISK_MOUNT_OPTIONS = 'nosuid,nodev,noatime';
/** Busy mounts (processes still exiting) get this long before a lazy unmount. */
const UNMOUNT_RETRY_MS = 2000;
/** How long a mount waits for an earlier, still closing, filesystem on the same image. */
const IMAGE_CLOSE_WAIT_MS = 10_000;
const PROBE_BYTES = 8 * 1024 * 1024;

export class DiskImageError extends Error {
  override name = 'DiskImageError';
}

async function run(argv: string[]): Promise<string> {
  const r = await runProcess(argv, { cwd: '/', env: HOST_ENV, timeoutMs: TOOL_TIMEOUT_MS });
  if (r.exitCode !== 0) throw new DiskImageError(`${path.basename(argv[0]!)} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Mount points in /proc/self/mountinfo escape space, tab, newline and backslash as octal. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount point and source of every mount this process sees. */
async function mounts(): Promise<{ at: string; source: string }[]> {
  const text = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter(Boolean).map((line) => {
    const [own, rest = ''] = line.split(' - ');
    return { at: unescapeMountPath(own!.split(' ')[4] ?? ''), source: unescapeMountPath(rest.split(' ')[1] ?? '') };
  });
}

/** Every mount point this process sees. */
export async function mountedAt(): Promise<string[]> {
  return (await mounts()).map((m) => m.at);
}

export async function isMountPoint(dir: string): Promise<boolean> {
  const want = path.resolve(dir);
  return (await mountedAt()).includes(want);
}

/** What is mounted at `dir` (the newest mount there), or null. */
export async function mountSource(dir: string): Promise<string | null> {
  const want = path.resolve(dir);
  return (await mounts()).findLast((m) => m.at === want)?.source ?? null;
}

/**
 * A sparse file of `bytes` with an empty ext4 owned by root; takes no disk space until written.
 * `via`: a command prefix mkfs runs under, such as entering a mount namespace without the
 * workspaces' disks (mount-namespaces.ts): mkfs checks the image is not mounted by reading the
 * status of the loop device behind every loop mount it sees, so on the host it grew with the
 * number of workspaces.
 */
export async function createImage(image: string, bytes: number, via: string[] = []): Promise<void> {
  const fh = await fs.open(image, 'wx', 0o600);
  try {
    await fh.truncate(bytes);
  } finally {
    await fh.close();
  }
  // No reserved blocks (the quota is the workspace's), inode tables initialised lazily by the
  // kernel (mkfs of a 10 GiB image then takes milliseconds), no discard on a file.
  await run([...via, 'mkfs.ext4', '-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1,nodiscard,root_owner=0:0', image]);
}

/**
 * Attaches the image to a free loop device and mounts that. Not `mount -o loop`: it first reads
 * the status of every loop device on the host to find one already bound to the image, so every
 * workspace mounted made the next mount slower (23 ms against 8 ms with 500 workspaces).
 * Detaching right after the mount is lazy: the kernel frees the device when it is unmounted.
 * Returns the loop device it mounted; null: the image was mounted there already.
 */
export async function mountImage(image: string, at: string): Promise<string | null> {
  if (await isMountPoint(at)) return null;
  const device = (await run(['losetup', '--find', '--show', image])).trim();
  try {
    await run(['mount', '-t', 'ext4', '-o', DISK_MOUNT_OPTIONS, device, at]);
  } finally {
    await run(['losetup', '--detach', device]);
  }
  return device;
}

/** The loop devices (`loopN`) backed by `image`. */
export async function loopDevicesOf(image: string): Promise<string[]> {
  const devices = (await fs.readdir('/sys/block').catch(() => [])).filter((d) => d.startsWith('loop'));
  const backing = await Promise.all(devices.map((d) => fs.readFile(`/sys/block/${d}/loop/backing_file`, 'utf8').catch(() => '')));
  return devices.filter((_d, i) => backing[i]!.trim() === image);
}

/**
 * Waits until no loop device is backed by `image`, which is not mounted here: a filesystem on it
 * is still open elsewhere. Unmounting on the host does not close it while a process that is still
 * exiting (a released workspace host) holds a mount of it in its own namespace; the kernel frees
 * the device (lazily detached at mount) once the last one goes. A second loop device on the image
 * meanwhile would be a second filesystem over the same blocks, reading them before the first has
 * written its last changes: so the image is not mounted until then, and never if it stays open.
 */
export async function untilImageClosed(image: string): Promise<void> {
  const deadline = Date.now() + IMAGE_CLOSE_WAIT_MS;
  while ((await loopDevicesOf(image)).length > 0) {
    if (Date.now() > deadline) throw new DiskImageError(`The workspace's disk is still in use by processes of an earlier server (${path.basename(image)}); try again once they have ended`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Unmounts; a mount still busy after the retries is detached lazily so destroy never hangs. */
export async function unmount(at: string): Promise<void> {
  const deadline = Date.now() + UNMOUNT_RETRY_MS;
  while (await isMountPoint(at)) {
    try {
      await run(['umount', at]);
    } catch (e) {
      if (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      await run(['umount', '-l', at]).catch(() => { throw e; });
    }
  }
}

/** Proves on this host that an image can be made, mounted, written and unmounted. */
export async function probeDiskImages(scratchDir: string): Promise<string | null> {
  const dir = await fs.mkdtemp(path.join(scratchDir, 'quota-probe-'));
  const image = path.join(dir, 'probe.ext4');
  const mnt = path.join(dir, 'mnt');
  try {
    await fs.mkdir(mnt);
    await createImage(image, PROBE_BYTES);
    await mountImage(image, mnt);
    try {
      await fs.writeFile(path.join(mnt, 'probe'), 'ok');
    } finally {
      await unmount(mnt);
    }
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}
