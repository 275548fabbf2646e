// The command line that runs one process in a workspace sandbox:
//   sh (join the workspace cgroups, as root) → prlimit (as root, so limits are set before the
//   uid changes and cannot be raised again) → nsenter (into the workspace's mount namespace, when
//   it has one) → setpriv (drop to the workspace uid) → bwrap.
// bwrap must start as the unprivileged uid: run as root without --uid it does not confine root
// (ENVIRONMENT.md). Everything here is pure so the exact argv can be tested and reviewed.
import path from 'node:path';
import type { SandboxLimits } from './limits.ts';
import type { MountNamespace } from './mount-namespaces.ts';
import { CA_ENV, PROXY_ENV, SANDBOX_CA_BUNDLE, SANDBOX_EGRESS_DIR, withRelay } from './egress/relay.ts';

/** Where the workspace appears inside every sandbox. */
export const SANDBOX_WORKSPACE = '/workspace';
/** The exit code of the cgroup-joining wrapper when it cannot join; distinct from common codes. */
export const CGROUP_JOIN_FAILED_EXIT = 125;

export interface SandboxTools {
  bwrap: string;
  setpriv: string;
  prlimit: string | null;
  sh: string;
  /** The in-sandbox relay to the egress proxy; without it no sandbox gets a network. */
  socat: string | null;
}

/**
 * The way out of a network-on sandbox: the host path of the directory holding its workspace's
 * egress proxy socket and nothing else (egress/proxies.ts), and of the CA bundle its clients trust
 * (null: the proxy does not terminate TLS).
 */
export interface SandboxEgress { socketDir: string; socat: string; caBundle: string | null }

export interface Bind { source: string; target: string; readOnly: boolean }

export interface SandboxRequest {
  tools: SandboxTools;
  uid: number;
  workspaceDir: string;
  /** The sandbox's /etc (system-etc.ts). */
  systemEtc: string;
  /** Holds `passwd` and `group` for the workspace user (files, since node-pty cannot pass extra fds). */
  etcDir: string;
  /** Null: no network at all. Otherwise still no network of its own: only the egress proxy. */
  egress: SandboxEgress | null;
  /** A terminal: no --new-session, or the shell gets no job control. */
  interactive: boolean;
  /** The workspace host: no --die-with-parent, so a server restart leaves it (and its ptys) running. */
  outliveParent?: boolean;
  /** Absolute path inside the sandbox (under /workspace). */
  cwd: string;
  env: Record<string, string>;
  command: string[];
  limits: SandboxLimits;
  cgroupProcs: string[];
  extraBinds?: Bind[];
  /** The workspace's own mount namespace, entered before dropping root; null: the host's (mount-namespaces.ts). */
  mountNamespace?: MountNamespace | null;
}

const READ_ONLY_SYSTEM = [
  '--ro-bind', '/usr', '/usr',
  '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/sbin', '/sbin',
];

export const DEFAULT_PATH = '/workspace/node_modules/.bin:/usr/local/bin:/usr/bin:/bin';

const SANDBOX_ENV: Record<string, string> = {
  HOME: SANDBOX_WORKSPACE, PATH: DEFAULT_PATH, USER: 'tether', LANG: 'C.UTF-8',
  // npm would otherwise write its cache and logs into the workspace (HOME) and call the registry.
  npm_config_cache: '/tmp/.npm', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false',
};

// --unshare-all includes the network namespace, and nothing here ever shares the host's: a
// sandbox's only network is its own loopback, plus the egress proxy socket when network is on.
// Read-only: connecting to a socket needs no write access to its mount, and the sandbox cannot
// replace or remove the socket the relay connects to.
export function bwrapArgs(r: SandboxRequest): string[] {
  const id = String(r.uid);
  const args = [
    '--unshare-all',
    ...(r.outliveParent ? [] : ['--die-with-parent']),
    ...(r.interactive ? [] : ['--new-session']),
    '--unshare-user', '--uid', id, '--gid', id, '--disable-userns',
    ...READ_ONLY_SYSTEM,
    // Few binds: bwrap re-reads the host's whole mount table for each one (system-etc.ts).
    '--ro-bind', r.systemEtc, '/etc',
    '--ro-bind', path.join(r.etcDir, 'passwd'), '/etc/passwd',
    '--ro-bind', path.join(r.etcDir, 'group'), '/etc/group',
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
    '--bind', r.workspaceDir, SANDBOX_WORKSPACE,
  ];
  for (const b of r.extraBinds ?? []) args.push(b.readOnly ? '--ro-bind' : '--bind', b.source, b.target);
  if (r.egress) args.push('--ro-bind', r.egress.socketDir, SANDBOX_EGRESS_DIR);
  if (r.egress?.caBundle) args.push('--ro-bind', r.egress.caBundle, SANDBOX_CA_BUNDLE);
  // The sandbox root is a tmpfs bwrap writes its mount points into; afterwards nothing may.
  args.push('--remount-ro', '/');
  args.push('--chdir', r.cwd, '--hostname', 'sandbox', '--clearenv');
  const env = { ...SANDBOX_ENV, ...(r.egress ? PROXY_ENV : {}), ...(r.egress?.caBundle ? CA_ENV : {}), ...r.env };
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  args.push('--', ...(r.egress ? withRelay(r.egress.socat, r.command) : r.command));
  return args;
}

function prlimitArgs(l: SandboxLimits): string[] {
  return [
    `--cpu=${l.cpuSeconds}`, `--as=${l.addressSpaceBytes}`, `--fsize=${l.fileSizeBytes}`,
    `--nofile=${l.openFiles}`, `--nproc=${l.processes}`,
  ];
}

/** The full argv (argv[0] is the program to spawn) for a sandboxed process. */
export function sandboxArgv(r: SandboxRequest): string[] {
  const id = String(r.uid);
  let argv = [r.tools.setpriv, '--reuid', id, '--regid', id, '--clear-groups', '--', r.tools.bwrap, ...bwrapArgs(r)];
  if (r.mountNamespace) argv = [r.mountNamespace.nsenter, `--mount=${r.mountNamespace.file}`, '--', ...argv];
  if (r.tools.prlimit) argv = [r.tools.prlimit, ...prlimitArgs(r.limits), '--', ...argv];
  if (r.cgroupProcs.length > 0) {
    // Joining happens before exec, so nothing the sandbox ever forks escapes the cgroup.
    const script = `n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit ${CGROUP_JOIN_FAILED_EXIT}; shift; n=$((n-1)); done; exec "$@"`;
    argv = [r.tools.sh, '-c', script, 'tether-sandbox', String(r.cgroupProcs.length), ...r.cgroupProcs, ...argv];
  }
  return argv;
}

/** passwd/group lines so `id`, prompts and tools that look up the user work inside. */
export function etcFiles(uid: number): { passwd: string; group: string } {
  return {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\ntether:x:${uid}:${uid}:Tether workspace:${SANDBOX_WORKSPACE}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\ntether:x:${uid}:\nnogroup:x:65534:\n`,
  };
}
