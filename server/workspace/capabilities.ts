// What this host can do to confine a workspace, found out at start-up by trying it: a probe
// sandbox must start as an unprivileged uid and must not be able to write the read-only system.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../log.ts';
import type { SandboxCapabilities } from './provider.ts';
import { detectCgroups, type CgroupHost } from './cgroups.ts';
import { probeDiskImages } from './disk-image.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { runProcess } from './run-process.ts';
import { etcFiles, sandboxArgv, SANDBOX_WORKSPACE, type SandboxTools } from './sandbox.ts';

/** nobody: only used for the probe, which needs no files of its own. */
const PROBE_UID = 65534;
const PROBE_TIMEOUT_MS = 10_000;
const SEARCH_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];

export interface HostSandbox {
  capabilities: SandboxCapabilities;
  /** Null when unconfined. */
  tools: SandboxTools | null;
  cgroups: CgroupHost | null;
  /** Loop-mounted ext4 images work here (the disk quota); only checked when confined. */
  diskImages: boolean;
}

export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
}

/** The program's path in the system's own directories, or null. */
export async function which(name: string): Promise<string | null> {
  for (const dir of SEARCH_PATH) {
    const p = path.join(dir, name);
    try {
      await fs.access(p, fs.constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return null;
}

/** Starts a real sandbox and checks it is the uid we asked for and cannot write /usr. */
async function probe(tools: SandboxTools): Promise<string | null> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-probe-'));
  try {
    const ws = path.join(dir, 'ws');
    await fs.mkdir(ws, { mode: 0o700 });
    await fs.chown(ws, PROBE_UID, PROBE_UID);
    await fs.chmod(dir, 0o711);
    const etc = etcFiles(PROBE_UID);
    await fs.writeFile(path.join(dir, 'passwd'), etc.passwd, { mode: 0o444 });
    await fs.writeFile(path.join(dir, 'group'), etc.group, { mode: 0o444 });
    // The probe's /etc is its own directory: it needs only the passwd and group in it.
    const argv = sandboxArgv({
      tools, uid: PROBE_UID, workspaceDir: ws, systemEtc: dir, etcDir: dir, egress: null, interactive: false,
      cwd: SANDBOX_WORKSPACE, env: {}, limits: DEFAULT_LIMITS, cgroupProcs: [],
      command: ['/bin/sh', '-c', 'id -u; if touch /usr/.tether-probe 2>/dev/null; then echo USR-WRITABLE; fi'],
    });
    const r = await runProcess(argv, { cwd: '/', env: { PATH: '/usr/bin:/bin' }, timeoutMs: PROBE_TIMEOUT_MS });
    if (r.exitCode !== 0) return `probe sandbox failed (exit ${r.exitCode}): ${r.stderr.trim()}`;
    const lines = r.stdout.trim().split('\n');
    if (lines[0] !== String(PROBE_UID)) return `probe ran as uid ${lines[0]}, expected ${PROBE_UID}`;
    if (lines.includes('USR-WRITABLE')) return 'probe could write /usr';
    return null;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function detectSandbox(o: { unsafeNoSandbox: boolean; log: Logger }): Promise<HostSandbox> {
  const notes: string[] = [];
  const [bwrap, setpriv, prlimit, sh, socat] = await Promise.all([which('bwrap'), which('setpriv'), which('prlimit'), which('sh'), which('socat')]);
  const cgroups = await detectCgroups();
  if (cgroups) notes.push(...cgroups.notes);
  else notes.push('no usable cgroups: memory and process limits rely on prlimit; kill relies on pid namespaces');
  if (!prlimit) notes.push('prlimit missing (util-linux): no per-process CPU/memory/file-size limits');
  if (!socat) notes.push('socat missing (apt-get install -y socat): workspaces with network "on" get no network at all');

  let problem: string | null = null;
  if (process.getuid?.() !== 0) problem = 'the server is not root, so it cannot run workspaces as their own uid';
  else if (!bwrap) problem = 'bubblewrap (bwrap) is not installed: apt-get install -y bubblewrap';
  else if (!setpriv || !sh) problem = 'setpriv (util-linux) is missing';
  const tools: SandboxTools | null = bwrap && setpriv && sh ? { bwrap, setpriv, prlimit, sh, socat } : null;
  if (!problem && tools) problem = await probe(tools);

  const caps = (confined: boolean): SandboxCapabilities => ({
    confined, bubblewrap: bwrap, prlimit: prlimit !== null, cgroups: cgroups?.mode ?? null, notes,
  });
  if (!problem) {
    const imageProblem = await probeDiskImages(os.tmpdir());
    if (imageProblem) notes.push(`no loop-mounted disk images (${imageProblem}): disk quota enforced by a usage watchdog instead`);
    o.log.info({ sandbox: caps(true) }, 'workspace sandbox: bubblewrap confinement available');
    return { capabilities: caps(true), tools, cgroups, diskImages: imageProblem === null };
  }
  if (!o.unsafeNoSandbox) {
    throw new SandboxUnavailableError(`Cannot confine workspaces: ${problem}. Set TETHER_UNSAFE_NO_SANDBOX=1 only for a trusted single-user setup.`);
  }
  notes.unshift(`UNCONFINED: ${problem}`);
  o.log.warn({ sandbox: caps(false) }, 'workspace sandbox DISABLED (TETHER_UNSAFE_NO_SANDBOX=1): workspace processes run unconfined on the host');
  return { capabilities: caps(false), tools: null, cgroups: null, diskImages: false };
}
