// The `kubernetes` WorkspaceProvider (TETHER_WORKSPACE_PROVIDER=kubernetes): each workspace is a
// pod from the configured image with a PersistentVolumeClaim of its own mounted at the workspace
// path, a second claim for its checkpoints, and a NetworkPolicy that denies egress unless the
// workspace's network is on. Its processes, terminals and file operations arrive through the
// exec API (pod-exec.ts, pod-files.ts); checkpoints run in the pod's second container
// (pod-snapshots.ts), a clone in the workspace container while it is provisioned (pod-clone.ts).
// What the local provider does with the host's kernel the cluster does here: the claim's size is
// the disk quota, the pod's limits are its cgroups, the pod is the sandbox.
import type { Logger } from '../../log.ts';
import { workspaceSpecSchema, WorkspaceError } from '../local-provider.ts';
import { checkRelative } from '../paths.ts';
import { provisionTemplate } from '../provision.ts';
import { Snapshots } from '../snapshots.ts';
import type {
  DiskStatus, ExecOptions, ExecResult, PtyEvents, PtyOptions, PtyState, SandboxCapabilities, SandboxPty, Workspace, WorkspaceProvider, WorkspaceSpec,
} from '../provider.ts';
import { DEFAULT_PTY_FLOW } from '../pty-flow.ts';
import { terminalEnv } from '../shell-integration.ts';
import { connectCluster, type Cluster, type ClusterOptions } from './cluster.ts';
import {
  CHECKPOINTS_CONTAINER, claimManifest, clonePolicyManifest, networkPolicyManifest, podManifest, snapshotClaimManifest, snapshotClaimName, WORKSPACE_CONTAINER, workspaceObjectName,
} from './manifests.ts';
import { cloneInPod, clonePort } from './pod-clone.ts';
import { openPodPty, runInPod } from './pod-exec.ts';
import { createPodFileService } from './pod-files.ts';
import { podSnapshotRunner } from './pod-snapshots.ts';
import type { KubernetesSettings } from './settings.ts';

/** A file operation is one short script; a pod that takes longer is in trouble. */
const FILE_OP_TIMEOUT_MS = 60_000;
const KILL_TIMEOUT_MS = 10_000;

export interface KubernetesProviderOptions {
  settings: KubernetesSettings;
  log: Logger;
  /** How the client finds the cluster; default: the kubeconfig or the in-cluster service account. */
  configure?: ClusterOptions['configure'];
  /** Default POD_START_TIMEOUT_MS (cluster.ts). */
  podStartTimeoutMs?: number;
}

export interface KubernetesProvider extends WorkspaceProvider {
  /** Server shutdown: terminals end with the server's exec connections; pods and claims stay. */
  shutdown(): Promise<void>;
}

export async function createKubernetesProvider(o: KubernetesProviderOptions): Promise<KubernetesProvider> {
  const s = o.settings;
  const cluster = await connectCluster({ namespace: s.namespace, configure: o.configure });
  const live = new Map<string, PodWorkspace>();
  const capabilities: SandboxCapabilities = {
    confined: true, bubblewrap: null, prlimit: false, cgroups: null,
    // The claim's size: the volume refuses writes past it, as the local disk image does.
    diskQuota: 'image',
    notes: [`Workspaces are pods in namespace ${s.namespace} (image ${s.image}); limits are the pod's, the quota is the claim's size.`],
  };

  function validate(spec: WorkspaceSpec): void {
    const parsed = workspaceSpecSchema.safeParse(spec);
    if (!parsed.success) throw new WorkspaceError(`Invalid workspace spec: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }

  /**
   * The claims, the policy and the pod, in that order (the pod needs its claims; it must never run
   * without its policy); each left alone when it exists, but the policy, which is `policy`.
   */
  async function ensureObjects(spec: WorkspaceSpec, policy = networkPolicyManifest(spec.id, spec.networkAllowed), onProgress?: (message: string) => void): Promise<PodWorkspace> {
    const name = workspaceObjectName(spec.id);
    await cluster.ensureClaim(claimManifest(spec.id, s));
    await cluster.ensureClaim(snapshotClaimManifest(spec.id, s));
    await cluster.applyNetworkPolicy(policy);
    await cluster.ensurePod(podManifest(spec.id, spec.uid, s));
    await cluster.waitRunning(name, onProgress, o.podStartTimeoutMs);
    const w = new PodWorkspace(spec.id, name, cluster, s, () => { if (live.get(spec.id) === w) live.delete(spec.id); });
    live.set(spec.id, w);
    return w;
  }

  async function destroy(id: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new WorkspaceError(`Invalid workspace id: ${id}`);
    // A pod that is already gone has no processes to kill: deleting the objects is what matters.
    await live.get(id)?.close().catch((err: unknown) => o.log.warn({ err, id }, 'could not stop the workspace pod\'s processes before deleting it'));
    const name = workspaceObjectName(id);
    // The pod first: the claim stays bound (and its data kept) until no pod uses it.
    await cluster.deletePod(name);
    await cluster.deleteNetworkPolicy(name);
    await cluster.deleteClaim(name);
    await cluster.deleteClaim(snapshotClaimName(id));
  }

  return {
    name: 'kubernetes',
    capabilities: () => capabilities,
    async create(spec, onProgress) {
      validate(spec);
      const source = spec.source;
      // Refused before anything is made: a server-local path.
      const clone = source.kind === 'git' ? { url: source.url, port: clonePort(source.url) } : null;
      try {
        onProgress?.('Creating the workspace pod');
        const w = await ensureObjects(spec, clone ? clonePolicyManifest(spec.id, clone.port) : undefined, onProgress);
        if (source.kind === 'template') await provisionTemplate(source.template, w.files, onProgress);
        if (clone) {
          await cloneInPod({ cluster, pod: workspaceObjectName(spec.id), url: clone.url, mountPath: s.mountPath, track: w.track, onProgress });
          // The clone's egress ends with it, before anyone has the workspace (the failure path deletes the policy).
          await cluster.applyNetworkPolicy(networkPolicyManifest(spec.id, spec.networkAllowed));
        }
        return w;
      } catch (e) {
        await destroy(spec.id).catch((err) => o.log.error({ err, id: spec.id }, 'cleanup after failed provision'));
        throw e;
      }
    },
    async open(spec) {
      validate(spec);
      // The claim holds the files; the pod may have gone (evicted, node drained) and is made again.
      return ensureObjects(spec);
    },
    destroy,
    async shutdown() {
      await Promise.all([...live.values()].map((w) => w.release()));
    },
  };
}

class PodWorkspace implements Workspace {
  readonly files;
  private readonly running = new Set<() => void>();
  private readonly snapshots: Snapshots;

  constructor(
    readonly id: string,
    private readonly pod: string,
    private readonly cluster: Cluster,
    private readonly s: KubernetesSettings,
    private readonly onClose: () => void,
  ) {
    this.files = createPodFileService({
      root: s.mountPath,
      run: (script, args, opts) => runInPod(cluster, pod, { argv: ['/bin/sh', '-c', script, 'tether', ...args], cwd: s.mountPath, env: {} }, {
        stdin: opts?.stdin, maxOutputBytes: opts?.maxOutputBytes, timeoutMs: FILE_OP_TIMEOUT_MS, track: this.track,
      }),
    });
    this.snapshots = new Snapshots(podSnapshotRunner({ cluster, pod, s, track: this.track }));
  }

  readonly track = (kill: () => void): (() => void) => {
    this.running.add(kill);
    return () => this.running.delete(kill);
  };

  private cwd(relative: string | undefined): string {
    const rel = checkRelative(relative ?? '');
    return rel ? `${this.s.mountPath}/${rel}` : this.s.mountPath;
  }

  // An agent run's egress scope is not applied here: a pod has one network policy, and with the
  // network off (the default) nothing leaves it whatever the scope (docs/deploy.md).
  exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    return runInPod(this.cluster, this.pod, {
      argv: typeof command === 'string' ? ['/bin/bash', '-c', command] : command,
      cwd: this.cwd(options.cwd), env: options.env ?? {},
    }, { stdin: options.stdin, timeoutMs: options.timeoutMs, maxOutputBytes: options.maxOutputBytes, signal: options.signal, track: this.track });
  }

  async openPty(options: PtyOptions & { id: string }, events: PtyEvents): Promise<{ pty: SandboxPty; state: PtyState }> {
    let untrack = () => {};
    const opened = await openPodPty(this.cluster, this.pod, {
      id: options.id, argv: options.command ?? ['/bin/bash'], cwd: this.cwd(options.cwd), env: terminalEnv(options.env),
      cols: options.cols, rows: options.rows, flow: { ...DEFAULT_PTY_FLOW, ...options.flow },
    }, {
      onData: (c) => events.onData(c),
      onExit: (e) => { untrack(); events.onExit(e); },
      onLost: (reason) => { untrack(); events.onLost(reason); },
    });
    untrack = this.track(() => opened.pty.kill());
    return opened;
  }

  /** Terminals are exec sessions of this server process: none outlive it. */
  async ptys(): Promise<PtyState[]> {
    return [];
  }

  adoptPty(): SandboxPty | null {
    return null;
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

  /**
   * Ends every exec session of this server, then every process of the workspace uid in both
   * containers (each one's PID 1, `sleep`, is spared by the kernel): a checkpoint's git too, as
   * the local provider's killAll ends it with the rest of the uid's processes.
   */
  async killAll(): Promise<void> {
    for (const kill of [...this.running]) kill();
    this.running.clear();
    const kill = { argv: ['kill', '-KILL', '-1'], cwd: this.s.mountPath, env: {} };
    await Promise.all([WORKSPACE_CONTAINER, CHECKPOINTS_CONTAINER].map((container) => runInPod(this.cluster, this.pod, kill, { timeoutMs: KILL_TIMEOUT_MS, container })));
  }

  async close(): Promise<void> {
    this.onClose();
    await this.killAll();
  }

  async release(): Promise<boolean> {
    this.onClose();
    for (const kill of [...this.running]) kill();
    this.running.clear();
    return false;
  }

  /** The claim's size is enforced by the volume itself; usage is `df` of the mount. */
  async checkDisk(): Promise<DiskStatus | null> {
    const r = await runInPod(this.cluster, this.pod, { argv: ['df', '-B1', '--output=size,used', '.'], cwd: this.s.mountPath, env: {} }, { timeoutMs: KILL_TIMEOUT_MS });
    const [quota, used] = (r.stdout.trim().split('\n')[1] ?? '').trim().split(/\s+/).map(Number);
    if (r.exitCode !== 0 || !Number.isFinite(quota) || !Number.isFinite(used)) return null;
    return { enforcement: 'image', quotaBytes: quota!, usedBytes: used!, full: quota! - used! < 1024 * 1024 };
  }
}
