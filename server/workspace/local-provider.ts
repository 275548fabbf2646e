// The default provider: each workspace is a directory under the data dir, every process runs in
// a bubblewrap sandbox as the workspace's own uid. Layout (modes keep workspace uids out of
// everything but their own tree — and the sandbox does not even mount the rest):
//   <dataDir>                    0711  traversable, not listable
//   <dataDir>/workspaces/<id>    0700  owned by the workspace uid, bound at /workspace
//   <dataDir>/sandbox-etc/<id>   0755  root: passwd/group shown inside the sandbox
//   <dataDir>/snapshots/<id>.git 0700  workspace uid: checkpoint repository, outside the workspace
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import { WorkspaceCgroup } from './cgroups.ts';
import { detectSandbox } from './capabilities.ts';
import { createFileService } from './files.ts';
import { WorkspaceHost } from './host/workspace-host.ts';
import { confinedLauncher, unconfinedLauncher, type Launcher } from './launcher.ts';
import { DEFAULT_LIMITS, type SandboxLimits } from './limits.ts';
import { provision, workspaceSourceSchema } from './provision.ts';
import type { ExecOptions, ExecResult, PtyOptions, SandboxPty, Workspace, WorkspaceProvider, WorkspaceSpec } from './provider.ts';
import { spawnSandboxPty } from './pty.ts';
import { runProcess } from './run-process.ts';
import { etcFiles } from './sandbox.ts';
import { Snapshots } from './snapshots.ts';
import { killUid } from './uid-processes.ts';

/** Below this are system users; 65534 is nobody (used by the start-up probe). */
export const MIN_WORKSPACE_UID = 10_000;
const MAX_WORKSPACE_UID = 2 ** 31 - 2;
/** Bash shows this unless the workspace's own .bashrc sets another. */
const PROMPT = '\\[\\e[1;34m\\]\\w\\[\\e[0m\\] $ ';

export const workspaceSpecSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'workspace id: letters, digits, - and _ only'),
  source: workspaceSourceSchema,
  networkAllowed: z.boolean(),
  uid: z.number().int().min(MIN_WORKSPACE_UID).max(MAX_WORKSPACE_UID).refine((u) => u !== 65534, 'uid 65534 is nobody'),
});

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

export interface LocalProviderOptions {
  dataDir: string;
  /** TETHER_UNSAFE_NO_SANDBOX=1: start even when workspaces cannot be confined. */
  unsafeNoSandbox: boolean;
  limits?: SandboxLimits;
  log: Logger;
}

export interface LocalProvider extends WorkspaceProvider {
  /** Kill every process of every workspace this provider started (server shutdown). */
  shutdown(): Promise<void>;
}

/** Every directory above the data dir must be traversable by the workspace uids (bwrap binds as them). */
async function assertTraversable(dir: string): Promise<void> {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const st = await fs.stat(d);
    if ((st.mode & 0o001) === 0) {
      throw new WorkspaceError(`${d} is not traversable by other users (mode ${(st.mode & 0o777).toString(8)}); workspace sandboxes could not reach ${dir}. Use a data dir under a world-traversable path or chmod o+x ${d}.`);
    }
    if (d === path.dirname(d)) return;
  }
}

export async function createLocalProvider(o: LocalProviderOptions): Promise<LocalProvider> {
  const host = await detectSandbox({ unsafeNoSandbox: o.unsafeNoSandbox, log: o.log });
  const limits = o.limits ?? DEFAULT_LIMITS;
  const dataDir = path.resolve(o.dataDir);
  const dirs = {
    workspaces: path.join(dataDir, 'workspaces'),
    etc: path.join(dataDir, 'sandbox-etc'),
    snapshots: path.join(dataDir, 'snapshots'),
  };
  await fs.mkdir(dataDir, { recursive: true });
  if (host.tools) {
    await assertTraversable(dataDir);
    await fs.chmod(dataDir, 0o711);
  }
  for (const d of Object.values(dirs)) {
    await fs.mkdir(d, { recursive: true });
    await fs.chmod(d, 0o711);
  }
  const live = new Map<string, LocalWorkspace>();

  function validate(spec: WorkspaceSpec): string {
    const parsed = workspaceSpecSchema.safeParse(spec);
    if (!parsed.success) throw new WorkspaceError(`Invalid workspace spec: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return path.join(dirs.workspaces, spec.id);
  }

  /** Everything but the workspace directory itself, which must exist. */
  async function prepare(spec: WorkspaceSpec, ws: string): Promise<LocalWorkspace> {
    const etc = path.join(dirs.etc, spec.id);
    const uid = host.tools ? spec.uid : null;
    if (uid !== null) {
      await fs.chown(ws, uid, uid);
      await fs.chmod(ws, 0o700);
    }
    await fs.mkdir(etc, { recursive: true, mode: 0o755 });
    const files = etcFiles(spec.uid);
    await fs.writeFile(path.join(etc, 'passwd'), files.passwd, { mode: 0o444 });
    await fs.writeFile(path.join(etc, 'group'), files.group, { mode: 0o444 });
    const cgroup = host.cgroups && host.tools ? await WorkspaceCgroup.create(host.cgroups, `tether-${spec.id}`, limits) : null;
    const launcher = host.tools
      ? confinedLauncher({ tools: host.tools, uid: spec.uid, workspaceDir: ws, etcDir: etc, limits, cgroup, networkAllowed: spec.networkAllowed })
      : unconfinedLauncher({ workspaceDir: ws });
    const w = new LocalWorkspace(spec.id, ws, uid, launcher, cgroup, path.join(dirs.snapshots, `${spec.id}.git`), o.log);
    live.set(spec.id, w);
    return w;
  }

  async function destroy(id: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new WorkspaceError(`Invalid workspace id: ${id}`);
    const ws = path.join(dirs.workspaces, id);
    const w = live.get(id);
    live.delete(id);
    w?.close();
    if (w) await w.killAll();
    else {
      // Not opened since start-up: its uid is whoever owns the directory.
      const st = await fs.stat(ws).catch(() => null);
      if (st && st.uid >= MIN_WORKSPACE_UID) await killUid(st.uid);
    }
    await w?.cgroup?.remove();
    await Promise.all([
      fs.rm(ws, { recursive: true, force: true }),
      fs.rm(path.join(dirs.etc, id), { recursive: true, force: true }),
      fs.rm(path.join(dirs.snapshots, `${id}.git`), { recursive: true, force: true }),
    ]);
  }

  return {
    name: 'local',
    capabilities: () => host.capabilities,
    async create(spec, onProgress) {
      const ws = validate(spec);
      // An existing workspace is refused before anything is made, so cleanup below never deletes it.
      await fs.mkdir(ws, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
        throw e.code === 'EEXIST' ? new WorkspaceError(`Workspace ${spec.id} already exists`) : e;
      });
      try {
        const w = await prepare(spec, ws);
        await provision({ source: spec.source, files: w.files, launcher: w.launcher, track: w.track, onProgress });
        return w;
      } catch (e) {
        await destroy(spec.id).catch((err) => o.log.error({ err, id: spec.id }, 'cleanup after failed provision'));
        throw e;
      }
    },
    async open(spec) {
      const ws = validate(spec);
      if (!(await fs.stat(ws).catch(() => null))?.isDirectory()) throw new WorkspaceError(`Workspace ${spec.id} does not exist`);
      return prepare(spec, ws);
    },
    destroy,
    async shutdown() {
      await Promise.all([...live.values()].map((w) => w.killAll()));
    },
  };
}

class LocalWorkspace implements Workspace {
  readonly files;
  private readonly running = new Set<() => void>();
  private readonly snapshots: Snapshots;
  /** Every file operation runs in this one process, sandboxed as the workspace uid; killAll ends it. */
  private readonly host: WorkspaceHost;

  constructor(
    readonly id: string,
    readonly dir: string,
    readonly uid: number | null,
    readonly launcher: Launcher,
    readonly cgroup: WorkspaceCgroup | null,
    gitDir: string,
    log: Logger,
  ) {
    this.host = new WorkspaceHost({ launcher, track: this.track, log: log.child({ workspace: id }) });
    this.files = createFileService({ root: dir, host: this.host });
    this.snapshots = new Snapshots({ gitDir, uid, launcher, track: this.track });
  }

  readonly track = (kill: () => void): (() => void) => {
    this.running.add(kill);
    return () => this.running.delete(kill);
  };

  exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    const launch = this.launcher.launch({
      command: typeof command === 'string' ? ['/bin/bash', '-c', command] : command,
      cwd: options.cwd, env: options.env, interactive: false,
    });
    return runProcess(launch.argv, {
      cwd: launch.cwd, env: launch.env, stdin: options.stdin, timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes, signal: options.signal, track: this.track,
    });
  }

  spawnPty(options: PtyOptions): SandboxPty {
    const launch = this.launcher.launch({
      command: options.command ?? ['/bin/bash'],
      cwd: options.cwd, env: { TERM: 'xterm-256color', COLORTERM: 'truecolor', PS1: PROMPT }, interactive: true,
    });
    let untrack: () => void = () => {};
    const pty = spawnSandboxPty(launch, options, () => untrack());
    untrack = this.track(() => pty.kill());
    return pty;
  }

  snapshot(label: string) {
    return this.snapshots.snapshot(label);
  }

  restore(snapshotId: string) {
    return this.snapshots.restore(snapshotId);
  }

  /** Destroyed: its host is not restarted for late requests. */
  close(): void {
    this.host.dispose();
  }

  async killAll(): Promise<void> {
    for (const kill of [...this.running]) kill();
    this.running.clear();
    await this.cgroup?.kill();
    // Anything that escaped both (no cgroups on this host) still runs as the workspace uid.
    if (this.uid !== null) await killUid(this.uid);
  }
}
