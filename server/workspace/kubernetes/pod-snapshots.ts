// Checkpoints of a workspace pod: the same git scripts as the local provider's (snapshots.ts),
// run by exec in the pod's checkpoints container, the only one that mounts the snapshot store
// (manifests.ts says why the workspace's own processes cannot reach it there).
import { SNAPSHOT_TIMEOUT_MS, SnapshotError, type SnapshotRunner } from '../snapshots.ts';
import type { Cluster } from './cluster.ts';
import { CHECKPOINTS_CONTAINER } from './manifests.ts';
import { runInPod } from './pod-exec.ts';
import type { KubernetesSettings } from './settings.ts';

export function podSnapshotRunner(o: {
  cluster: Cluster; pod: string; s: KubernetesSettings; track: (kill: () => void) => () => void;
}): SnapshotRunner {
  const paths = { GIT_DIR: o.s.snapshotPath, GIT_WORK_TREE: o.s.mountPath };
  const run = (argv: string[], env: Record<string, string>, maxOutputBytes?: number) => runInPod(o.cluster, o.pod, { argv, cwd: o.s.mountPath, env: { ...env, ...paths } }, {
    container: CHECKPOINTS_CONTAINER, timeoutMs: SNAPSHOT_TIMEOUT_MS, track: o.track, maxOutputBytes,
  });
  // Once the repository is known to exist it stays: a deleted claim takes the pod with it.
  let exists = false;
  return {
    // The claim is the repository's place, mounted before the pod starts: only git init may be missing.
    async prepare() {
      if (exists) return false;
      const r = await run(['/bin/sh', '-c', 'test -e "$GIT_DIR/HEAD"'], {});
      if (r.exitCode === 0) exists = true;
      else if (r.exitCode !== 1) throw new SnapshotError(`Snapshot failed: ${r.stderr.trim() || `the checkpoints container did not answer (exit ${r.exitCode})`}`);
      return !exists;
    },
    // The claim is mounted read-write for the container's life: readOnly cannot narrow it per call.
    run: (script, args, env, _readOnly, maxOutputBytes) => run(['/bin/sh', '-c', script, 'snapshot', ...args], env, maxOutputBytes),
  };
}
