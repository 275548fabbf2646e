// The default provider: each workspace is a directory under the storage root (storage-root.ts:
// the data dir, or a directory of the server's own when the data dir cannot be reached by other
// users), every process runs in a bubblewrap sandbox as the workspace's own uid. Layout (modes
// keep workspace uids out of everything but their own tree — and the sandbox does not even
// mount the rest):
//   <root>                                 0711 root  traversable, not listable
//   <root>/volumes/<id>                    0711 root  the workspace's disk image is mounted here
//   <root>/volumes/<id>/files              0700 uid   bound at /workspace
//   <root>/volumes/<id>/etc                0755 root  passwd/group shown inside the sandbox
//   <root>/volumes/<id>/checkpoints.git    0700 uid   checkpoint repository, outside the workspace
//   <root>/disk-images/<id>.ext4           0600 root  sparse ext4 of TETHER_WORKSPACE_DISK_BYTES (dir 0700)
//   <root>/egress/<digest of id>/e.sock    0600 uid   the workspace's egress proxy (dirs 0711 root; egress/proxies.ts)
//   <root>/egress/ca/<digest of id>/       0700 root  its CA key and leaf key (egress/ca.ts); the CA's bundle is etc/ca-bundle.pem
//   <root>/hosts/<digest of id>/           0711 root  its workspace host's token and socket (host/host-place.ts)
//   <root>/host-runtime/<digest>/          0755 root  what workspace hosts run, bound read-only
//   <root>/templates/<digest>/<name>/      0755 root  the templates, bound read-only while one is copied
// Files, checkpoints and passwd share one image, so the quota covers everything a workspace
// can make grow. Workspaces made before volumes/ existed keep their old places (legacyPaths).
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import { createHash } from 'node:crypto';
import { WorkspaceCgroup } from './cgroups.ts';
import { detectSandbox } from './capabilities.ts';
import { createFileService } from './files.ts';
import { createHostPlace, hostPlace, hostSocket, prepareHostRuntime, removeHostPlace, type HostPlace } from './host/host-place.ts';
import { WorkspaceHost } from './host/workspace-host.ts';
import { confinedLauncher, unconfinedLauncher, type Launcher } from './launcher.ts';
import { DEFAULT_LIMITS, type SandboxLimits } from './limits.ts';
import { MountNamespaces } from './mount-namespaces.ts';
import { provision, publishTemplates, workspaceSourceSchema } from './provision.ts';
import { formatBytes, imageStatus, measureInSandbox } from './disk-usage.ts';
import type { DiskStatus, ExecOptions, ExecResult, PtyEvents, PtyOptions, PtyState, SandboxPty, Workspace, WorkspaceProvider, WorkspaceSpec } from './provider.ts';
import { DEFAULT_PTY_FLOW } from './pty-flow.ts';
import net from 'node:net';
import { runProcess } from './run-process.ts';
import { etcFiles } from './sandbox.ts';
import type { WorkspaceCa } from './egress/ca.ts';
import { DEFAULT_EGRESS_DECISION_TIMEOUT_MS, EgressProxies, egressSocketDir, type EgressProxiesOptions, type EgressScope } from './egress/proxies.ts';
import { sandboxSnapshotRunner, Snapshots } from './snapshots.ts';
import { chooseStorageRoot } from './storage-root.ts';
import { publishSystemEtc } from './system-etc.ts';
import { killUid } from './uid-processes.ts';
import { DEFAULT_DISK_QUOTA_BYTES, VolumeExistsError, Volumes, type WorkspacePaths } from './volumes.ts';
import { terminalEnv } from './shell-integration.ts';

/** Below this are system users; 65534 is nobody (used by the start-up probe). */
export const MIN_WORKSPACE_UID = 10_000;
const MAX_WORKSPACE_UID = 2 ** 31 - 2;

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
  /** TETHER_WORKSPACES_DIR: where workspaces live; default chosen by storage-root.ts. */
  workspacesDir?: string;
  /** TETHER_WORKSPACE_DISK_BYTES: size of each workspace's disk image; 0 turns the quota off. */
  diskQuotaBytes?: number;
  /** false: enforce the quota with the watchdog even where disk images work (tests of the fallback). */
  diskImages?: boolean;
  /** TETHER_UNSAFE_NO_SANDBOX=1: start even when workspaces cannot be confined. */
  unsafeNoSandbox: boolean;
  limits?: SandboxLimits;
  /** Decides and records what leaves a network-on workspace; absent: nothing leaves. */
  egress?: Partial<Omit<EgressProxiesOptions, 'log' | 'dir'>>;
  log: Logger;
}

export interface LocalProvider extends WorkspaceProvider {
  /** Where workspaces live on this host (the data dir or a directory of the server's own). */
  readonly storageDir: string;
  /** Host paths of an existing workspace, for tests and benchmarks. */
  paths(id: string): Promise<WorkspacePaths | null>;
  /** Ids of every workspace stored here, opened or not. */
  ids(): Promise<string[]>;
  /**
   * Server shutdown: every workspace this provider opened lets go of its processes, except that a
   * workspace host with terminals keeps running (and its disk image mounted) for the next server.
   */
  shutdown(): Promise<void>;
}

export async function createLocalProvider(o: LocalProviderOptions): Promise<LocalProvider> {
  const host = await detectSandbox({ unsafeNoSandbox: o.unsafeNoSandbox, log: o.log });
  const limits = o.limits ?? DEFAULT_LIMITS;
  const dataDir = path.resolve(o.dataDir);
  await fs.mkdir(dataDir, { recursive: true });
  const root = await chooseStorageRoot({ dataDir, configured: o.workspacesDir, confined: host.tools !== null });
  const quotaBytes = o.diskQuotaBytes ?? DEFAULT_DISK_QUOTA_BYTES;
  const diskQuota = quotaBytes === 0 ? 'off' : host.diskImages && o.diskImages !== false ? 'image' : 'watchdog';
  // Only workspaces' disks make the host's mount table grow; without images there is nothing to keep apart.
  const mountNs = diskQuota === 'image' && host.tools ? await MountNamespaces.open(root.dir, o.log) : null;
  if (mountNs && !mountNs.namespaces) o.log.warn({ reason: mountNs.reason }, 'workspace sandboxes start in the host\'s mount namespace: their start slows as workspaces are added');
  const namespaces = mountNs?.namespaces ?? null;
  const volumes = await Volumes.open(root.dir, diskQuota === 'image' ? quotaBytes : null, namespaces);
  const capabilities = { ...host.capabilities, diskQuota } as const;
  o.log.info({ storageDir: root.dir, reason: root.reason, diskQuota, quotaBytes }, 'workspace storage');
  if (diskQuota === 'watchdog') o.log.warn({ quotaBytes }, 'workspace disk quota enforced by a usage watchdog: loop-mounted disk images are not available');
  // Cgroups are named per installation, so a sweep never touches another server's workspaces.
  // A workspace whose host survived the last server process keeps its cgroup: its terminals run there.
  const cgroupPrefix = `tether-${createHash('sha256').update(root.dir).digest('hex').slice(0, 8)}-`;
  const [runtimeDir, templatesDir] = await Promise.all([prepareHostRuntime(root.dir), publishTemplates(root.dir)]);
  // Off the start-up path (~700 host entries, 26–34 ms when unchanged: bench/system-etc.ts): the first sandbox waits for it,
  // and gets its error if it failed.
  const systemEtc = host.tools ? publishSystemEtc(root.dir) : null;
  systemEtc?.catch(() => {});
  const placeOf = (id: string) => hostPlace(root.dir, runtimeDir, id);
  if (host.cgroups && host.tools) {
    const surviving = new Set<string>();
    for (const id of await volumes.ids()) if (await hostListening(placeOf(id))) surviving.add(`${cgroupPrefix}${id}`);
    const swept = await WorkspaceCgroup.sweep(host.cgroups, (name) => name.startsWith(cgroupPrefix) && !surviving.has(name));
    if (swept > 0) o.log.info({ swept }, 'removed workspace cgroups left by a previous run');
    if (surviving.size > 0) o.log.info({ hosts: surviving.size }, 'workspace hosts of the last server process are still running');
  }
  const live = new Map<string, LocalWorkspace>();
  /** One per workspace, shared by its openings: the host takes one server connection at a time. */
  const hosts = new Map<string, WorkspaceHost>();
  const egress = new EgressProxies({
    ...o.egress, dir: await egressSocketDir(root.dir), policy: o.egress?.policy ?? null, decisionTimeoutMs: o.egress?.decisionTimeoutMs ?? DEFAULT_EGRESS_DECISION_TIMEOUT_MS, log: o.log,
  });

  function validate(spec: WorkspaceSpec): void {
    const parsed = workspaceSpecSchema.safeParse(spec);
    if (!parsed.success) throw new WorkspaceError(`Invalid workspace spec: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }

  /** Everything but the workspace's files directory itself, which must exist. */
  async function prepare(spec: WorkspaceSpec, p: WorkspacePaths): Promise<LocalWorkspace> {
    const uid = host.tools ? spec.uid : null;
    if (uid !== null) {
      await fs.chown(p.files, uid, uid);
      await fs.chmod(p.files, 0o700);
    }
    await fs.mkdir(p.etc, { recursive: true, mode: 0o755 });
    const files = etcFiles(spec.uid);
    await fs.writeFile(path.join(p.etc, 'passwd'), files.passwd, { mode: 0o444 });
    await fs.writeFile(path.join(p.etc, 'group'), files.group, { mode: 0o444 });
    const cgroup = host.cgroups && host.tools ? await WorkspaceCgroup.create(host.cgroups, `${cgroupPrefix}${spec.id}`, limits) : null;
    const etc = await systemEtc;
    const launcher = host.tools && etc
      ? confinedLauncher({
        tools: host.tools, uid: spec.uid, workspaceDir: p.files, systemEtc: etc, etcDir: p.etc, limits, cgroup, networkAllowed: spec.networkAllowed,
        egressSocketDir: await egress.socketDirFor(spec.id, spec.uid),
        egressCaBundle: await writeCaBundle(p.etc, await egress.ca(spec.id)),
        mountNamespace: await volumes.namespace(spec.id),
      })
      : unconfinedLauncher({ workspaceDir: p.files });
    const disk = diskQuota === 'off' ? null : { quotaBytes, image: p.image !== null };
    const place = placeOf(spec.id);
    await createHostPlace(place, uid);
    let workspaceHost = hosts.get(spec.id);
    if (workspaceHost && !workspaceHost.isDisposed) workspaceHost.reconfigure(launcher, spec.networkAllowed);
    else {
      workspaceHost = new WorkspaceHost({ launcher, place, network: spec.networkAllowed, log: o.log.child({ workspace: spec.id }) });
      hosts.set(spec.id, workspaceHost);
    }
    const w = new LocalWorkspace(spec.id, p, workspaceHost, uid, launcher, cgroup, disk, o.log, () => {
      if (live.get(spec.id) === w) live.delete(spec.id);
    }, host.tools ? (scope) => egress.socketDirFor(spec.id, spec.uid, scope) : null);
    live.set(spec.id, w);
    return w;
  }

  async function destroy(id: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new WorkspaceError(`Invalid workspace id: ${id}`);
    const w = live.get(id);
    await egress.destroy(id);
    if (w) await w.close();
    else {
      // Not opened since start-up: its uid is whoever owns its files.
      const p = await volumes.attach(id).catch(() => null);
      const st = p ? await fs.stat(p.files).catch(() => null) : null;
      if (st && st.uid >= MIN_WORKSPACE_UID) await killUid(st.uid);
      if (host.cgroups && host.tools) await WorkspaceCgroup.sweep(host.cgroups, (name) => name === `${cgroupPrefix}${id}`);
    }
    await removeHostPlace(placeOf(id));
    await volumes.remove(id);
  }

  return {
    name: 'local',
    storageDir: root.dir,
    capabilities: () => capabilities,
    paths: (id) => volumes.attach(id),
    ids: () => volumes.ids(),
    async create(spec, onProgress) {
      validate(spec);
      const p = await volumes.create(spec.id, host.tools ? spec.uid : null).catch(async (e: unknown) => {
        if (e instanceof VolumeExistsError) throw new WorkspaceError(e.message);
        await volumes.remove(spec.id).catch((err) => o.log.error({ err, id: spec.id }, 'cleanup after failed volume creation'));
        throw e;
      });
      try {
        const w = await prepare(spec, p);
        const run = () => provision({ source: spec.source, launcher: w.launcher, templatesDir, track: w.track, onProgress });
        const cloneHost = spec.source.kind === 'git' && !spec.source.url.startsWith('/') ? urlHost(spec.source.url) : null;
        await (cloneHost ? egress.setupPhase(spec.id, cloneHost, run) : run());
        return w;
      } catch (e) {
        await destroy(spec.id).catch((err) => o.log.error({ err, id: spec.id }, 'cleanup after failed provision'));
        throw e;
      }
    },
    async open(spec) {
      validate(spec);
      const p = await volumes.attach(spec.id);
      if (!p) throw new WorkspaceError(`Workspace ${spec.id} does not exist`);
      return prepare(spec, p);
    },
    destroy,
    setEgressPolicy: (policy) => egress.setPolicy(policy),
    async shutdown() {
      const kept = new Set<string>();
      await Promise.all([...live.values()].map(async (w) => { if (await w.release()) kept.add(w.id); }));
      await egress.closeAll();
      // Nothing else stays mounted after a clean stop: a data dir can be moved or deleted like any other.
      for (const id of await volumes.ids()) if (!kept.has(id)) await volumes.detach(id);
      await volumes.dropSpare();
      await namespaces?.close();
      if (kept.size > 0) o.log.info({ workspaces: kept.size }, 'workspace hosts with open terminals keep running for the next server process');
    },
  };
}

/** Whether a workspace host listens on its socket (a previous server process started it). */
function hostListening(place: HostPlace): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(hostSocket(place));
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** The host of a clone URL (https://host/…); scp-like ssh URLs cannot go through the proxy anyway. */
function urlHost(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

export class LocalWorkspace implements Workspace {
  readonly files;
  private readonly running = new Set<() => void>();
  private readonly snapshots: Snapshots;

  readonly dir: string;
  /** Set while the watchdog found the workspace over its quota: new processes are refused. */
  private overQuota: string | null = null;

  constructor(
    readonly id: string,
    private readonly paths: WorkspacePaths,
    /**
     * Every file operation and every terminal runs in this one process, sandboxed as the workspace
     * uid; killAll ends it, a server shutdown leaves it running while it has terminals.
     */
    private readonly host: WorkspaceHost,
    readonly uid: number | null,
    readonly launcher: Launcher,
    readonly cgroup: WorkspaceCgroup | null,
    /** null: no quota; image false: enforced by checkDisk (the watchdog). */
    private readonly disk: { quotaBytes: number; image: boolean } | null,
    log: Logger,
    private readonly onClose: () => void,
    /** The socket directory of an egress scope's own proxy; null where processes are not confined. */
    private readonly scopedEgress: ((scope: EgressScope) => Promise<string>) | null,
  ) {
    this.dir = paths.files;
    this.files = createFileService({ root: this.dir, host: this.host });
    this.snapshots = new Snapshots(sandboxSnapshotRunner({ gitDir: paths.checkpoints, uid, launcher, track: this.track }));
  }

  readonly track = (kill: () => void): (() => void) => {
    this.running.add(kill);
    return () => this.running.delete(kill);
  };

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (this.overQuota) throw new WorkspaceError(this.overQuota);
    const egressSocketDir = options.egress && this.scopedEgress ? await this.scopedEgress(options.egress) : undefined;
    const launch = this.launcher.launch({
      command: typeof command === 'string' ? ['/bin/bash', '-c', command] : command,
      cwd: options.cwd, env: options.env, interactive: false, egressSocketDir,
    });
    return runProcess(launch.argv, {
      cwd: launch.cwd, env: launch.env, stdin: options.stdin, timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes, signal: options.signal, track: this.track,
    });
  }

  async openPty(options: PtyOptions & { id: string }, events: PtyEvents): Promise<{ pty: SandboxPty; state: PtyState }> {
    if (this.overQuota) throw new WorkspaceError(this.overQuota);
    return this.host.openPty({
      id: options.id, command: options.command ?? ['/bin/bash'], cwd: options.cwd, cols: options.cols, rows: options.rows,
      env: terminalEnv(options.env),
      ...DEFAULT_PTY_FLOW, ...options.flow,
    }, events);
  }

  ptys(): Promise<PtyState[]> {
    return this.host.listPtys();
  }

  adoptPty(id: string, events: PtyEvents): SandboxPty | null {
    return this.host.adoptPty(id, events);
  }

  snapshot(label: string) {
    return this.snapshots.snapshot(label);
  }

  restore(snapshotId: string) {
    return this.snapshots.restore(snapshotId);
  }

  snapshotFiles(snapshotIds: string[]) {
    return this.snapshots.files(snapshotIds);
  }

  snapshotFile(snapshotIds: string[], path: string, maxOthersBytes?: number) {
    return this.snapshots.readFile(snapshotIds, path, maxOthersBytes);
  }

  async killAll(): Promise<void> {
    for (const kill of [...this.running]) kill();
    this.running.clear();
    // A cgroup's member list names every process of the workspace, the host's included (unless it
    // outlived a server that ran in another cgroup: killHost finds it then). Killing by the uid
    // reads every process on the machine, so it is kept for what a cgroup could not vouch for.
    let clean = false;
    const cgroup = this.cgroup;
    await this.host.stop(undefined, cgroup ? async () => { clean = await cgroup.kill(); } : undefined);
    if (this.uid !== null && !clean) await killUid(this.uid);
  }

  async checkDisk(): Promise<DiskStatus | null> {
    if (!this.disk) return null;
    if (this.disk.image) return imageStatus(this.paths.volume, this.disk.quotaBytes);
    const checkpoints = await fs.stat(this.paths.checkpoints).then(() => this.paths.checkpoints, () => null);
    const usedBytes = await measureInSandbox({ launcher: this.launcher, checkpoints, track: this.track });
    const full = usedBytes > this.disk.quotaBytes;
    if (full && !this.overQuota) {
      this.overQuota = `This workspace uses ${formatBytes(usedBytes)} of its ${formatBytes(this.disk.quotaBytes)} disk quota: its processes were stopped and new ones are refused until files are deleted.`;
      await this.killAll();
    } else if (!full) this.overQuota = null;
    return { enforcement: 'watchdog', quotaBytes: this.disk.quotaBytes, usedBytes, full };
  }

  /** Stopped or destroyed: its host is not restarted for late requests (open() makes a new one). */
  async close(): Promise<void> {
    this.onClose();
    this.host.dispose();
    await this.killAll();
    await this.cgroup?.remove();
  }

  /** Server shutdown: the processes the server started end; the host stays if it has terminals. */
  async release(): Promise<boolean> {
    this.onClose();
    for (const kill of [...this.running]) kill();
    this.running.clear();
    const kept = await this.host.release();
    if (!kept) await this.cgroup?.remove();
    return kept;
  }
}

/** The bundle a workspace's sandboxes trust, beside its passwd: readable by its uid, written by root only. */
async function writeCaBundle(etcDir: string, ca: WorkspaceCa): Promise<string> {
  const file = path.join(etcDir, 'ca-bundle.pem');
  await fs.writeFile(file, await ca.bundle(), { mode: 0o444 });
  return file;
}
