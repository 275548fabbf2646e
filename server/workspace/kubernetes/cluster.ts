// Tether's handle on one namespace of a cluster, through @kubernetes/client-node. The library
// (and its dependencies, a few MiB of generated API code) is imported here on first use only:
// a server with the local provider never loads it.
import type { KubeConfig, V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod, V1Status } from '@kubernetes/client-node';
import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { WORKSPACE_CONTAINER } from './manifests.ts';

/** Pulling an image onto a fresh node can take a while; longer than this and creating the workspace fails. */
export const POD_START_TIMEOUT_MS = 5 * 60_000;
const POD_POLL_MS = 500;
/** Container states that will not get better by waiting. */
const HOPELESS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff']);

export class ClusterError extends Error {
  override name = 'ClusterError';
}

export interface ExecStreams {
  stdout: Writable;
  /** null with a tty: the terminal merges it into stdout. */
  stderr: Writable | null;
  stdin: Readable | null;
  tty: boolean;
  onStatus(status: V1Status): void;
}

export interface Cluster {
  readonly namespace: string;
  /** Creates the object, or leaves the one already there (an earlier, interrupted attempt). */
  ensureClaim(m: V1PersistentVolumeClaim): Promise<void>;
  /** Creates or replaces: the network setting changes on a workspace that already has a policy. */
  applyNetworkPolicy(m: V1NetworkPolicy): Promise<void>;
  ensurePod(m: V1Pod): Promise<void>;
  /** Whether the pod exists (open() of a workspace whose pod was evicted re-creates it). */
  podExists(name: string): Promise<boolean>;
  /** Resolves once the pod runs; fails in words when it cannot start. */
  waitRunning(name: string, onProgress?: (message: string) => void, timeoutMs?: number): Promise<void>;
  /** Deletes what exists; a missing object is not an error. */
  deletePod(name: string): Promise<void>;
  deleteClaim(name: string): Promise<void>;
  deleteNetworkPolicy(name: string): Promise<void>;
  /** Runs argv in one container of the pod through the exec API (a WebSocket). */
  exec(pod: string, container: string, argv: string[], streams: ExecStreams): Promise<WebSocket>;
}

export interface ClusterOptions {
  namespace: string;
  /** Default: KubeConfig.loadFromDefault() — $KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  configure?: (kc: KubeConfig) => void;
}

function statusCode(err: unknown): number | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

/** The API's own words for a refusal (its Status message), not the client's generic "HTTP-Code: 403". */
function describe(err: unknown, what: string): ClusterError {
  const body = (err as { body?: unknown } | null)?.body;
  let message: string | undefined;
  try {
    message = (typeof body === 'string' ? JSON.parse(body) : body)?.message;
  } catch { /* not JSON: the error's own message below */ }
  return new ClusterError(`${what}: ${message ?? (err instanceof Error ? err.message : String(err))}`);
}

export async function connectCluster(o: ClusterOptions): Promise<Cluster> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (o.configure) o.configure(kc);
  else kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const exec = new k8s.Exec(kc);
  const namespace = o.namespace;

  const ignoring = async (code: number, what: string, call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
    } catch (err) {
      if (statusCode(err) !== code) throw describe(err, what);
    }
  };

  const readPod = async (name: string): Promise<V1Pod | null> => {
    try {
      return await core.readNamespacedPod({ name, namespace });
    } catch (err) {
      if (statusCode(err) === 404) return null;
      throw describe(err, `Reading pod ${name}`);
    }
  };

  return {
    namespace,
    ensureClaim: (m) => ignoring(409, `Creating volume claim ${m.metadata?.name}`, () => core.createNamespacedPersistentVolumeClaim({ namespace, body: m })),
    async applyNetworkPolicy(m) {
      const name = m.metadata!.name!;
      try {
        await net.createNamespacedNetworkPolicy({ namespace, body: m });
        return;
      } catch (err) {
        if (statusCode(err) !== 409) throw describe(err, `Creating network policy ${name}`);
      }
      try {
        const current = await net.readNamespacedNetworkPolicy({ name, namespace });
        await net.replaceNamespacedNetworkPolicy({ name, namespace, body: { ...m, metadata: { ...m.metadata, resourceVersion: current.metadata?.resourceVersion } } });
      } catch (err) {
        throw describe(err, `Replacing network policy ${name}`);
      }
    },
    ensurePod: (m) => ignoring(409, `Creating pod ${m.metadata?.name}`, () => core.createNamespacedPod({ namespace, body: m })),
    podExists: async (name) => (await readPod(name)) !== null,
    async waitRunning(name, onProgress, timeoutMs = POD_START_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        const pod = await readPod(name);
        if (!pod) throw new ClusterError(`Pod ${name} disappeared while starting`);
        const phase = pod.status?.phase ?? 'Pending';
        // Running is the pod's phase once one container runs: every container must (a crash-looping
        // checkpoints container would otherwise fail each checkpoint later, one by one).
        const stuck = pod.status?.containerStatuses?.find((c) => c.state?.waiting);
        const waiting = stuck?.state?.waiting;
        if (phase === 'Running' && !waiting) return;
        const which = stuck && stuck.name !== WORKSPACE_CONTAINER ? `its ${stuck.name} container: ` : '';
        if (phase === 'Failed' || phase === 'Succeeded' || (waiting?.reason && HOPELESS.has(waiting.reason))) {
          throw new ClusterError(`The workspace pod cannot start: ${which}${waiting?.reason ?? phase}${waiting?.message ? ` (${waiting.message})` : pod.status?.message ? ` (${pod.status.message})` : ''}`);
        }
        const now = `Waiting for the workspace pod: ${which}${waiting?.reason ?? phase}`;
        if (now !== last) onProgress?.(now);
        last = now;
        if (Date.now() > deadline) throw new ClusterError(`The workspace pod did not start within ${Math.round(timeoutMs / 1000)} s (${waiting?.reason ?? phase})`);
        await new Promise((r) => setTimeout(r, POD_POLL_MS));
      }
    },
    deletePod: (name) => ignoring(404, `Deleting pod ${name}`, () => core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 })),
    deleteClaim: (name) => ignoring(404, `Deleting volume claim ${name}`, () => core.deleteNamespacedPersistentVolumeClaim({ name, namespace })),
    deleteNetworkPolicy: (name) => ignoring(404, `Deleting network policy ${name}`, () => net.deleteNamespacedNetworkPolicy({ name, namespace })),
    async exec(pod, container, argv, s) {
      try {
        return await exec.exec(namespace, pod, container, argv, s.stdout, s.stderr, s.stdin, s.tty, s.onStatus);
      } catch (err) {
        throw describe(err, `Running a command in pod ${pod}`);
      }
    },
  };
}
