// Every workspace has its own uid, so "the processes of this workspace" is also "the processes
// of this uid": a kill that works even where the host has no usable cgroups.
import fs from 'node:fs/promises';

/** How long to keep sweeping while processes still fork. */
const SWEEP_MS = 3000;

export async function pidsOfUid(uid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const status = await fs.readFile(`/proc/${name}/status`, 'utf8').catch(() => '');
    const m = /^Uid:\s+(\d+)/m.exec(status);
    // Zombies are already dead; they only wait for their parent to reap them.
    if (m && Number(m[1]) === uid && !/^State:\s+Z/m.test(status)) pids.push(Number(name));
  }
  return pids;
}

/** SIGKILLs every process of `uid` until none is left; returns how many remained (0 = clean). */
export async function killUid(uid: number): Promise<number> {
  if (uid === 0) throw new Error('refusing to kill the processes of root');
  const deadline = Date.now() + SWEEP_MS;
  for (;;) {
    const pids = await pidsOfUid(uid);
    if (pids.length === 0) return 0;
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    if (Date.now() > deadline) return pids.length;
    await new Promise((r) => setTimeout(r, 25));
  }
}
