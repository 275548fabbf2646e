// Per-workspace cgroups: memory and process-count limits where the host has the controllers, and
// a reliable "kill everything" (cgroup.kill on v2, or signalling every member on v1). Each
// workspace's cgroups are created under the server's own cgroup, never at the host root, so a
// containerised server stays inside what it was given. Hosts differ (v1, v2, hybrid): detect.
import fs from 'node:fs/promises';
import path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';
/** How long killAll keeps sweeping a v1 cgroup whose members are still forking. */
const V1_KILL_SWEEP_MS = 2000;

export interface CgroupHost {
  mode: 'v1' | 'v2' | 'hybrid';
  /** Parent directories for workspace cgroups, per controller (v1) or the v2 tree. */
  memoryParent: string | null;
  pidsParent: string | null;
  /** v2 directory (pure v2, or the hybrid `unified` tree) under which cgroup.kill works. */
  v2Parent: string | null;
  /** On pure v2: whether memory/pids limits can be set (controllers delegated to children). */
  v2Controllers: { memory: boolean; pids: boolean };
  notes: string[];
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

/** Parses /proc/self/cgroup into controller → path ('' key is the v2 entry). */
function ownCgroups(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const controller of m[1]!.split(',')) map.set(controller, m[2]!);
  }
  return map;
}

/** Can we create (and remove) a child cgroup here? Proves write access instead of guessing. */
async function canCreateChild(parent: string): Promise<boolean> {
  const probe = path.join(parent, `tether-probe-${process.pid}`);
  try {
    await fs.mkdir(probe);
    await fs.rmdir(probe);
    return true;
  } catch {
    return false;
  }
}

export async function detectCgroups(procSelfCgroup?: string): Promise<CgroupHost | null> {
  const text = procSelfCgroup ?? (await fs.readFile('/proc/self/cgroup', 'utf8').catch(() => ''));
  const own = ownCgroups(text);
  const notes: string[] = [];
  const v1Parent = async (controller: string): Promise<string | null> => {
    const rel = own.get(controller);
    if (rel === undefined) return null;
    const dir = path.join(CGROUP_ROOT, controller, rel);
    if (!(await exists(dir))) return null;
    return (await canCreateChild(dir)) ? dir : null;
  };

  const pureV2 = await exists(path.join(CGROUP_ROOT, 'cgroup.controllers'));
  if (pureV2) {
    const dir = path.join(CGROUP_ROOT, own.get('') ?? '/');
    if (!(await canCreateChild(dir))) {
      notes.push(`cgroup v2: cannot create children under ${dir}; no per-workspace cgroups`);
      return null;
    }
    // Enabling controllers for children fails when this cgroup itself holds processes (the
    // "no internal processes" rule) unless it is the root: then we only get cgroup.kill.
    const controllers = { memory: false, pids: false };
    for (const c of ['memory', 'pids'] as const) {
      try {
        await fs.writeFile(path.join(dir, 'cgroup.subtree_control'), `+${c}`);
        controllers[c] = true;
      } catch {
        notes.push(`cgroup v2: ${c} controller not delegated under ${dir}`);
      }
    }
    return { mode: 'v2', memoryParent: null, pidsParent: null, v2Parent: dir, v2Controllers: controllers, notes };
  }

  const memoryParent = await v1Parent('memory');
  const pidsParent = await v1Parent('pids');
  let v2Parent: string | null = null;
  const unified = path.join(CGROUP_ROOT, 'unified');
  if (await exists(path.join(unified, 'cgroup.procs'))) {
    const dir = path.join(unified, own.get('') ?? '/');
    if (await canCreateChild(dir)) v2Parent = dir;
  }
  if (!memoryParent) notes.push('cgroup v1: no writable memory controller; no memory limit per workspace');
  if (!pidsParent) notes.push('cgroup v1: no writable pids controller; process count limited by prlimit only');
  if (!memoryParent && !pidsParent && !v2Parent) return null;
  return { mode: v2Parent ? 'hybrid' : 'v1', memoryParent, pidsParent, v2Parent, v2Controllers: { memory: false, pids: false }, notes };
}

/** The cgroups of one workspace. Every sandbox process joins all of them before it drops root. */
export class WorkspaceCgroup {
  private constructor(
    private readonly dirs: { memory: string | null; pids: string | null; v2: string | null },
  ) {}

  private static at(host: CgroupHost, name: string): WorkspaceCgroup {
    return new WorkspaceCgroup({
      memory: host.memoryParent ? path.join(host.memoryParent, name) : null,
      pids: host.pidsParent ? path.join(host.pidsParent, name) : null,
      v2: host.v2Parent ? path.join(host.v2Parent, name) : null,
    });
  }

  static async create(host: CgroupHost, name: string, limits: { memoryBytes: number; pids: number }): Promise<WorkspaceCgroup> {
    const cgroup = WorkspaceCgroup.at(host, name);
    const { dirs } = cgroup;
    for (const dir of Object.values(dirs)) if (dir) await fs.mkdir(dir, { recursive: true });
    if (dirs.memory) await fs.writeFile(path.join(dirs.memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    if (dirs.pids) await fs.writeFile(path.join(dirs.pids, 'pids.max'), String(limits.pids));
    if (host.mode === 'v2' && dirs.v2) {
      if (host.v2Controllers.memory) await fs.writeFile(path.join(dirs.v2, 'memory.max'), String(limits.memoryBytes));
      if (host.v2Controllers.pids) await fs.writeFile(path.join(dirs.v2, 'pids.max'), String(limits.pids));
    }
    return cgroup;
  }

  /**
   * Kills and removes every workspace cgroup whose name `matches` (those of a previous run that
   * ended without removing them). Returns how many names were swept.
   */
  static async sweep(host: CgroupHost, matches: (name: string) => boolean): Promise<number> {
    const names = new Set<string>();
    for (const parent of [host.memoryParent, host.pidsParent, host.v2Parent]) {
      if (!parent) continue;
      for (const e of await fs.readdir(parent, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory() && matches(e.name)) names.add(e.name);
      }
    }
    for (const name of names) await WorkspaceCgroup.at(host, name).remove();
    return names.size;
  }

  /** The cgroup.procs files a new sandbox process writes its pid to. */
  procsFiles(): string[] {
    return Object.values(this.dirs).filter((d): d is string => d !== null).map((d) => path.join(d, 'cgroup.procs'));
  }

  /** Every member, or null when a member list could not be read (so no claim can be made). */
  private async members(): Promise<number[] | null> {
    const all = new Set<number>();
    for (const file of this.procsFiles()) {
      const text = await fs.readFile(file, 'utf8').catch(() => null);
      if (text === null) return null;
      for (const line of text.split('\n')) if (line) all.add(Number(line));
    }
    return [...all];
  }

  /** Kills every member; true once none is left, false if some still were when the sweep gave up. */
  async kill(): Promise<boolean> {
    if (this.dirs.v2 && (await exists(path.join(this.dirs.v2, 'cgroup.kill')))) {
      await fs.writeFile(path.join(this.dirs.v2, 'cgroup.kill'), '1');
    }
    // v1 has no atomic kill: sweep until empty, since members may fork between reads.
    const deadline = Date.now() + V1_KILL_SWEEP_MS;
    for (;;) {
      const pids = await this.members();
      if (pids === null) return false;
      if (pids.length === 0) return this.procsFiles().length > 0;
      for (const pid of pids) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async remove(): Promise<void> {
    await this.kill();
    for (const dir of Object.values(this.dirs)) {
      if (!dir) continue;
      // rmdir fails with EBUSY while the last killed members are still being reaped.
      for (let i = 0; i < 50; i++) {
        try { await fs.rmdir(dir); break; } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  }
}
