// How full a workspace's disk is. With a disk image the kernel enforces the quota and this only
// reads the image's filesystem (statfs on a mount point the server owns). Without one (a host
// where loop mounts fail) this is the fallback enforcement: `du` runs inside the workspace
// sandbox as the workspace uid — so a hostile tree can at worst mislead its own count — and the
// caller stops the workspace's processes once it is over.
import fs from 'node:fs/promises';
import type { Launcher } from './launcher.ts';
import type { DiskStatus } from './provider.ts';
import { runProcess } from './run-process.ts';

/** An image with less than this left counts as full: ext4 refuses small writes before zero. */
const IMAGE_FULL_BELOW_BYTES = 1024 * 1024;
const DU_TIMEOUT_MS = 60_000;
const CHECKPOINTS_MOUNT = '/tether-checkpoints.git';

export async function imageStatus(volume: string, quotaBytes: number): Promise<DiskStatus> {
  const s = await fs.statfs(volume);
  const free = s.bfree * s.bsize;
  return { enforcement: 'image', quotaBytes, usedBytes: (s.blocks - s.bfree) * s.bsize, full: free < IMAGE_FULL_BELOW_BYTES };
}

export class DiskUsageError extends Error {
  override name = 'DiskUsageError';
}

/** Bytes the workspace's files and checkpoints take, measured from inside its sandbox. */
export async function measureInSandbox(o: {
  launcher: Launcher; checkpoints: string | null; track: (kill: () => void) => () => void;
}): Promise<number> {
  const binds = o.checkpoints ? [{ source: o.checkpoints, target: CHECKPOINTS_MOUNT, readOnly: true }] : [];
  const targets = [o.launcher.workspacePath, ...binds.map((b) => o.launcher.bindPath(b))];
  const launch = o.launcher.launch({ command: ['du', '-s', '-k', '-x', '--', ...targets], interactive: false, network: false, extraBinds: binds });
  const r = await runProcess(launch.argv, { cwd: launch.cwd, env: launch.env, timeoutMs: DU_TIMEOUT_MS, track: o.track });
  // du exits 1 when some entry is unreadable (the workspace's own doing): the totals still count.
  const totals = r.stdout.split('\n').map((line) => /^(\d+)\t/.exec(line)?.[1]).filter((n): n is string => n !== undefined);
  if (r.timedOut || totals.length !== targets.length) throw new DiskUsageError(`Could not measure the workspace's disk use: ${r.timedOut ? 'du timed out' : r.stderr.trim()}`);
  return totals.reduce((sum, kb) => sum + Number(kb) * 1024, 0);
}

/** 10 GiB, 32 MiB, 1.5 GiB: for messages people read. */
export function formatBytes(n: number): string {
  const [value, unit] = n >= 1024 ** 3 ? [n / 1024 ** 3, 'GiB'] : [n / 1024 ** 2, 'MiB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}
