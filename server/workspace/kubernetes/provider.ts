// The `kubernetes` WorkspaceProvider (TETHER_WORKSPACE_PROVIDER=kubernetes): each workspace is a
// pod from the configured image with a PersistentVolumeClaim of its own mounted at the workspace
// path and a NetworkPolicy that denies egress unless the workspace's network is on. Its
// processes, terminals and file operations arrive through the exec API (pod-exec.ts,
// pod-files.ts). What the local provider does with the host's kernel the cluster does here:
// the claim's size is the disk quota, the pod's limits are its cgroups, the pod is the sandbox.
import type { Logger } from '../../log.ts';
import { workspaceSpecSchema, WorkspaceError } from '../local-provider.ts';
import { checkRelative } from '../paths.ts';
import { provisionTemplate } from '../provision.ts';
import type {
  DiskStatus, ExecOptions, ExecResult, PtyEvents, PtyOptions, PtyState, SandboxCapabilities, SandboxPty, Workspace, WorkspaceProvider, WorkspaceSpec,
} from '../provider.ts';
import { DEFAULT_PTY_FLOW } from '../pty-flow.ts';
import { terminalEnv } from '../shell-integration.ts';
import { connectCluster, type Cluster, type ClusterOptions } from './cluster.ts';
import { claimManifest, networkPolicyManifest, podManifest, workspaceObjectName } from './manifests.ts';
import { openPodPty, runInPod } from './pod-exec.ts';
import { createPodFileService } from './pod-files.ts';
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

  /** The claim, the policy and the pod, in that order (the pod needs its claim; it must never run without its policy); each left alone when it exists. */
  async function ensureObjects(spec: WorkspaceSpec, onProgress?: (message: string) => void): Promise<PodWorkspace> {
    const name = workspaceObjectName(spec.id);
    await cluster.ensureClaim(claimManifest(spec.id, s));
    await cluster.applyNetworkPolicy(networkPolicyManifest(spec.id, spec.networkAllowed));
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
  }

  return {
    name: 'kubernetes',
    capabilities: () => capabilities,
    async create(spec, onProgress) {
      validate(spec);
      if (spec.source.kind === 'git') {
        // The pod may not reach the network while it is provisioned, and a server-local path is not on its node.
        throw new WorkspaceError('Cloning a git repository into a new workspace is not available with the kubernetes provider yet: start from a template or an empty workspace');
      }
      try {
        onProgress?.('Creating the workspace pod');
        const w = await ensureObjects(spec, onProgress);
        if (spec.source.kind === 'template') await provisionTemplate(spec.source.template, w.files, onProgress);
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

  // Checkpoints need a snapshot store beside the claim (a second volume or VolumeSnapshots); not built yet.
  snapshot(): never {
    throw new WorkspaceError('Checkpoints are not available with the kubernetes provider yet');
  }

  restore(): never {
    return this.snapshot();
  }

  snapshotFiles(): never {
    return this.snapshot();
  }

  snapshotFile(): never {
    return this.snapshot();
  }

  /** Ends every exec session of this server, then every process of the workspace uid in the pod (PID 1, `sleep`, is spared by the kernel). */
  async killAll(): Promise<void> {
    for (const kill of [...this.running]) kill();
    this.running.clear();
    await runInPod(this.cluster, this.pod, { argv: ['kill', '-KILL', '-1'], cwd: this.s.mountPath, env: {} }, { timeoutMs: KILL_TIMEOUT_MS });
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
