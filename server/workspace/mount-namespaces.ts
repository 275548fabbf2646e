// A mount namespace per workspace, where its sandboxes start. bubblewrap copies the mount table of
// the namespace it starts in, and tears the copy down when the sandbox ends; the host's table holds
// every workspace's disk, so each sandbox start grew with the number of workspaces (35.8 ms against
// 15.6 ms at 520 mounts: docs/benchmarks.md). A workspace's namespace holds the host's mounts as
// they were when the server started, without any workspace's disk, plus its own disk: ~20 mounts
// whatever the number of workspaces.
//
// The keeper is a process in a private copy of the host's namespace, made at start-up and cleared
// of every mount under the storage root; each workspace's namespace is a copy of the keeper's, with
// the workspace's loop device mounted at the same path as on the host (the same device, so one
// filesystem: never a second loop device on the image). It is kept alive by a bind mount of its
// namespace file under <root>/mountns (0700 root), which outlives a server restart as the disk's
// own mount does, and sandboxes enter it with nsenter before dropping root.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../log.ts';
import { isMountPoint, mountedAt, unmount } from './disk-image.ts';
import { runProcess } from './run-process.ts';

const HOST_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
const TOOL_TIMEOUT_MS = 30_000;
/** The options the host's mount of a workspace disk has (disk-image.ts). */
const DISK_OPTIONS = 'nosuid,nodev,noatime';

/** How a sandbox enters its workspace's namespace: `nsenter --mount=<file>`, run as root. */
export interface MountNamespace { nsenter: string; file: string }

async function which(name: string): Promise<string | null> {
  for (const dir of HOST_ENV.PATH.split(':')) {
    const p = path.join(dir, name);
    if (await fs.access(p, fs.constants.X_OK).then(() => true, () => false)) return p;
  }
  return null;
}

async function run(argv: string[]): Promise<void> {
  const r = await runProcess(argv, { cwd: '/', env: HOST_ENV, timeoutMs: TOOL_TIMEOUT_MS });
  if (r.exitCode !== 0) throw new Error(`${path.basename(argv[0]!)} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
}

/**
 * Starts `argv`, which prints one line once it is ready and then waits on its stdin; resolves with
 * the process once it printed, rejects if it exits first.
 */
function startWaiting(argv: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', env: HOST_ENV as unknown as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${path.basename(argv[0]!)} exited (${code}) before it was ready: ${stderr.trim()}`)));
    createInterface({ input: child.stdout! }).once('line', () => resolve(child));
  });
}

export class MountNamespaces {
  private constructor(private readonly dir: string, private readonly nsenter: string, private readonly unshare: string, private readonly keeper: ChildProcess, private readonly log: Logger) {}

  /**
   * The keeper, or null where this host cannot make one (no nsenter or unshare, or not allowed):
   * sandboxes then start in the host's namespace, as before, only slower with many workspaces.
   */
  static async open(root: string, log: Logger): Promise<{ namespaces: MountNamespaces } | { namespaces: null; reason: string }> {
    const [nsenter, unshare] = await Promise.all([which('nsenter'), which('unshare')]);
    if (!nsenter || !unshare) return { namespaces: null, reason: 'nsenter or unshare (util-linux) is missing' };
    const dir = path.join(root, 'mountns');
    let keeper: ChildProcess | null = null;
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      keeper = await startWaiting([unshare, '--mount', '--propagation', 'private', '--', 'sh', '-c', 'echo ready; exec cat']);
      // The keeper's copy still holds the disks and namespaces mounted under the root by an earlier
      // server process (hosts that outlived it): a namespace copied from it would hold them all.
      const ours = (await mountedAt(`/proc/${keeper.pid}/mountinfo`)).filter((m) => m.startsWith(`${root}/`)).sort().reverse();
      if (ours.length > 0) await run([nsenter, `--mount=/proc/${keeper.pid}/ns/mnt`, 'umount', '-l', ...ours]);
      // The keeper lives as long as the server: ended by close(), or by its stdin closing with the server.
      keeper.unref();
      for (const s of [keeper.stdin, keeper.stdout, keeper.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
      return { namespaces: new MountNamespaces(dir, nsenter, unshare, keeper, log) };
    } catch (e) {
      keeper?.kill('SIGKILL');
      return { namespaces: null, reason: e instanceof Error ? e.message : String(e) };
    }
  }

  private file(id: string): string {
    return path.join(this.dir, id);
  }

  /** The workspace's namespace, if it has one. */
  async of(id: string): Promise<MountNamespace | null> {
    return (await isMountPoint(this.file(id))) ? { nsenter: this.nsenter, file: this.file(id) } : null;
  }

  /**
   * The workspace's namespace with `device` mounted at `volume`: made unless it exists (the caller
   * removed it if the host's mount of the disk is newer than it). Null if it cannot be made: the
   * workspace's sandboxes then start in the host's namespace, which is slower, not less confined.
   */
  async ensure(id: string, device: string, volume: string): Promise<MountNamespace | null> {
    try {
      return (await this.of(id)) ?? (await this.make(id, device, volume));
    } catch (err) {
      this.log.warn({ err, id }, 'no mount namespace of its own for this workspace: its sandboxes start in the host\'s');
      return null;
    }
  }

  private async make(id: string, device: string, volume: string): Promise<MountNamespace> {
    const file = this.file(id);
    await fs.writeFile(file, '', { mode: 0o600 });
    try {
      const script = `mount -t ext4 -o ${DISK_OPTIONS} "$1" "$2" && echo ready && exec cat`;
      const holder = await startWaiting([this.nsenter, `--mount=/proc/${this.keeper.pid}/ns/mnt`, this.unshare, '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', device, volume]);
      try {
        await run(['mount', '--bind', `/proc/${holder.pid}/ns/mnt`, file]);
      } finally {
        holder.stdin!.end();
      }
    } catch (e) {
      await fs.rm(file, { force: true });
      throw e;
    }
    return { nsenter: this.nsenter, file };
  }

  /** Drops the workspace's namespace: its disk mount goes with the last process in it. */
  async remove(id: string): Promise<void> {
    const file = this.file(id);
    if (await isMountPoint(file)) await unmount(file);
    await fs.rm(file, { force: true });
  }

  /** Server shutdown: the keeper ends; workspaces' namespaces stay while their disks are mounted. */
  close(): void {
    this.keeper.stdin?.end();
  }
}
