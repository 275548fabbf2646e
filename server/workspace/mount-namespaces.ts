// A mount namespace per workspace, where its sandboxes start. bubblewrap copies the mount table of
// the namespace it starts in, and tears the copy down when the sandbox ends; the host's table holds
// every workspace's disk, so each sandbox start grew with the number of workspaces (63–66 ms at
// 500 workspaces; 37–40 ms from their own namespaces: bench/workspace-scale.ts). A workspace's
// namespace holds the host's mounts as they were when the server started, without any
// workspace's disk, plus its own disk: ~20 mounts whatever the number of workspaces.
//
// The keeper is a private copy of the host's namespace, made at start-up and cleared of every mount
// under the storage root; each workspace's namespace is a copy of the keeper's, with the
// workspace's loop device mounted at the same path as on the host (the same device, so one
// filesystem: never a second loop device on the image). The server holds each namespace open (a
// file descriptor of its namespace file): no process has to stay in it and no mount marks it, as a
// bind mount of it would have (a second mount per workspace in the host's table, which mount and
// umount read in full). Sandboxes enter it through /proc/<server>/fd/<fd> with nsenter before
// dropping root; the processes it started keep their copies when the server ends, and the next
// server makes a new namespace when it opens the workspace.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.ts';
import { which } from './capabilities.ts';
import { DISK_MOUNT_OPTIONS, HOST_ENV, mountedAt } from './disk-image.ts';
import { killGroup } from './run-process.ts';
import { startProcess } from './spawner.ts';

/** How a sandbox enters its workspace's namespace: `nsenter --mount=<file>`, run as root. */
export interface MountNamespace { nsenter: string; file: string }

/** How long a namespace's process waits to be ended once ready: only a server that died meanwhile lets it run out. */
const HOLD_SECONDS = 60;

/**
 * Runs `argv` (it prints a line once its namespace is ready, then sleeps) and holds its mount
 * namespace open: the namespace outlives the process, which is then killed. Started through the
 * spawner, as every other process is (spawner.ts): a fork from the server stalls its event loop.
 */
async function holdNamespace(argv: string[]): Promise<fs.FileHandle> {
  let stderr = '';
  let ready = () => {};
  let failed = (_e: Error) => {};
  const printed = new Promise<void>((resolve, reject) => { ready = resolve; failed = reject; });
  printed.catch(() => {}); // awaited below, after the pid: an early exit must not be an unhandled rejection meanwhile
  const pid = await startProcess(argv, {
    cwd: '/', env: HOST_ENV, output: 'pipe',
    onOutput: (fd, chunk) => { if (fd === 1) ready(); else stderr += chunk.toString(); },
    onExit: (code) => failed(new Error(`${path.basename(argv[0]!)} exited (${code}) before its namespace was ready: ${stderr.trim()}`)),
  });
  try {
    await printed;
    return await fs.open(`/proc/${pid}/ns/mnt`, 'r');
  } finally {
    killGroup(pid);
  }
}

export class MountNamespaces {
  private readonly held = new Map<string, Promise<fs.FileHandle | null>>();

  private constructor(private readonly nsenter: string, private readonly unshare: string, private readonly keeper: fs.FileHandle, private readonly log: Logger) {}

  /**
   * The keeper, or null where this host cannot make one (no nsenter or unshare, or not allowed):
   * sandboxes then start in the host's namespace, as before, only slower with many workspaces.
   */
  static async open(root: string, log: Logger): Promise<{ namespaces: MountNamespaces } | { namespaces: null; reason: string }> {
    const [nsenter, unshare] = await Promise.all([which('nsenter'), which('unshare')]);
    if (!nsenter || !unshare) return { namespaces: null, reason: 'nsenter or unshare (util-linux) is missing' };
    // The copy would hold the disks mounted under the root before this server started (hosts that
    // outlived the last one), and a namespace copied from it all of them: they are unmounted in it.
    const ours = (await mountedAt()).filter((m) => m.startsWith(`${root}/`)).sort().reverse();
    const script = `for m; do umount -l "$m" || exit 1; done; echo ready; exec sleep ${HOLD_SECONDS}`;
    try {
      const keeper = await holdNamespace([unshare, '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', ...ours]);
      return { namespaces: new MountNamespaces(nsenter, unshare, keeper, log) };
    } catch (e) {
      return { namespaces: null, reason: e instanceof Error ? e.message : String(e) };
    }
  }

  private entry(handle: fs.FileHandle): MountNamespace {
    return { nsenter: this.nsenter, file: `/proc/${process.pid}/fd/${handle.fd}` };
  }

  /**
   * The command prefix that runs a root tool in the keeper: the host's mounts from start-up, no
   * workspace's disk. Once closed (the provider shut down), none: the tool runs in the host's.
   */
  inKeeper(): string[] {
    return this.keeper.fd < 0 ? [] : this.enterKeeper();
  }

  private enterKeeper(): string[] {
    return [this.nsenter, `--mount=${this.entry(this.keeper).file}`, '--'];
  }

  /** The workspace's namespace, once made (null: not made by this server process, or it could not be). */
  async of(id: string): Promise<MountNamespace | null> {
    const handle = await this.held.get(id);
    return handle ? this.entry(handle) : null;
  }

  /**
   * Starts making the workspace's namespace with `device` mounted at `volume`, unless it is made or
   * under way; `of` waits for it. Made while the workspace's other preparations run (it takes
   * ~10 ms of processes). If it cannot be made, the workspace's sandboxes start in the host's
   * namespace: slower, not less confined.
   */
  ensure(id: string, device: string, volume: string): void {
    if (this.held.has(id)) return;
    const script = `mount -t ext4 -o ${DISK_MOUNT_OPTIONS} "$1" "$2" && echo ready && exec sleep ${HOLD_SECONDS}`;
    this.held.set(id, holdNamespace([...this.enterKeeper(), this.unshare, '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', device, volume])
      .catch((err: unknown) => {
        this.log.warn({ err, id }, 'no mount namespace of its own for this workspace: its sandboxes start in the host\'s');
        return null;
      }));
  }

  /** Lets the workspace's namespace go: its disk mount goes with the last process in it. */
  async remove(id: string): Promise<void> {
    const handle = this.held.get(id);
    this.held.delete(id);
    await (await handle)?.close();
  }

  /** Server shutdown: every namespace is let go; running sandboxes keep their own copies. */
  async close(): Promise<void> {
    const handles = [this.keeper, ...(await Promise.all(this.held.values()))];
    this.held.clear();
    await Promise.all(handles.map((h) => h?.close()));
  }
}
