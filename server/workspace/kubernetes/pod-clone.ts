// Cloning a git repository into a new workspace pod: `git clone` by exec as the workspace uid,
// into the claim's mount path, while the pod's network policy is clonePolicyManifest (the
// provider puts the workspace's own policy back before anyone gets the workspace). The URL was
// validated by the workspace spec's schema (provision.ts: http(s):// or git:// only), and a
// failure is worded as the local provider words it.
import { cloneProgress, describeCloneFailure, ProvisionError } from '../provision.ts';
import type { Cluster } from './cluster.ts';
import { runInPod } from './pod-exec.ts';

const CLONE_TIMEOUT_MS = 10 * 60_000;
/** ext:: and friends run arbitrary commands, file:// reads the pod's own disk: only network transports. */
const GIT_PROTOCOLS = 'http:https:git';
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'git:': 9418 };

/**
 * The one TCP port the clone needs. A server-local path is refused: the repository is on
 * Tether's machine, not on the pod's node.
 */
export function clonePort(url: string): number {
  if (url.startsWith('/')) {
    throw new ProvisionError(`${url} is a path on Tether's server, which workspace pods cannot reach: clone from an http(s):// or git:// URL, or start from a template or an empty workspace`);
  }
  const u = new URL(url);
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  if (!port) throw new ProvisionError(`Cannot clone ${url}: expected an http(s):// or git:// URL`);
  return port;
}

/**
 * An ext4 volume's root holds mkfs's empty lost+found, and git clones only into an empty
 * directory: it goes first (as on the local disk images, volumes.ts; fsck makes it again if needed).
 */
export const CLONE_SCRIPT = 'rmdir -- "$2/lost+found" 2>/dev/null; exec git clone --progress -- "$1" "$2"';

export async function cloneInPod(o: {
  cluster: Cluster; pod: string; url: string; mountPath: string;
  track: (kill: () => void) => () => void; onProgress?: (message: string) => void;
}): Promise<void> {
  o.onProgress?.(`Cloning ${o.url}`);
  const r = await runInPod(o.cluster, o.pod, {
    argv: ['/bin/sh', '-c', CLONE_SCRIPT, 'clone', o.url, o.mountPath], cwd: o.mountPath,
    env: { GIT_ALLOW_PROTOCOL: GIT_PROTOCOLS, GIT_TERMINAL_PROMPT: '0' },
  }, {
    timeoutMs: CLONE_TIMEOUT_MS, track: o.track, onStderr: cloneProgress(o.onProgress),
  });
  if (r.exitCode !== 0) throw new ProvisionError(describeCloneFailure(o.url, r));
  o.onProgress?.('Clone complete');
}
