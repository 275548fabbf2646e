// Turns "run this in workspace X" into a concrete argv, confined (bubblewrap) or — only when an
// operator explicitly allowed it — unconfined on the host. Callers never build sandbox argv.
import path from 'node:path';
import type { WorkspaceCgroup } from './cgroups.ts';
import type { SandboxLimits } from './limits.ts';
import type { MountNamespace } from './mount-namespaces.ts';
import { checkRelative } from './paths.ts';
import { DEFAULT_PATH, SANDBOX_WORKSPACE, sandboxArgv, type Bind, type SandboxTools } from './sandbox.ts';

export interface LaunchSpec {
  command: string[];
  /** Relative to the workspace root. */
  cwd?: string;
  env?: Record<string, string>;
  interactive: boolean;
  /** Overrides the workspace setting (git clone needs the network, whatever the workspace may do). */
  network?: boolean;
  extraBinds?: Bind[];
  /** Host path of a narrower egress proxy's socket directory for this process (an EgressScope's), instead of the workspace's. */
  egressSocketDir?: string;
  /** Keep running when the server exits (the workspace host, which owns the terminals). */
  outliveServer?: boolean;
}

export interface Launch { argv: string[]; cwd: string; env: Record<string, string> }

export interface Launcher {
  /** Where the workspace root is, as the launched process sees it. */
  readonly workspacePath: string;
  /** Where an extra bind's source is, as the launched process sees it. */
  bindPath(b: Bind): string;
  launch(spec: LaunchSpec): Launch;
}

/** The environment of the helper chain (sh, prlimit, setpriv); bwrap then clears it. */
const HOST_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

export function confinedLauncher(o: {
  tools: SandboxTools; uid: number; workspaceDir: string; systemEtc: string; etcDir: string;
  limits: SandboxLimits; cgroup: WorkspaceCgroup | null; networkAllowed: boolean;
  /** Host path of the directory of the workspace's egress proxy socket; null: no process of it gets a network. */
  egressSocketDir: string | null;
  /** Host path of the CA bundle its sandboxes trust (egress/ca.ts); null: TLS is not terminated. */
  egressCaBundle: string | null;
  /** Where its sandboxes start (mount-namespaces.ts); null: the host's mount namespace. */
  mountNamespace: MountNamespace | null;
}): Launcher {
  const egress = o.egressSocketDir && o.tools.socat ? { socketDir: o.egressSocketDir, socat: o.tools.socat, caBundle: o.egressCaBundle } : null;
  return {
    workspacePath: SANDBOX_WORKSPACE,
    bindPath: (b) => b.target,
    launch(spec) {
      const argv = sandboxArgv({
        tools: o.tools, uid: o.uid, workspaceDir: o.workspaceDir, systemEtc: o.systemEtc, etcDir: o.etcDir,
        egress: (spec.network ?? o.networkAllowed) && egress ? { ...egress, socketDir: spec.egressSocketDir ?? egress.socketDir } : null,
        interactive: spec.interactive, outliveParent: spec.outliveServer,
        cwd: path.posix.join(SANDBOX_WORKSPACE, checkRelative(spec.cwd ?? '')),
        env: spec.env ?? {}, command: spec.command, limits: o.limits,
        cgroupProcs: o.cgroup?.procsFiles() ?? [], extraBinds: spec.extraBinds, mountNamespace: o.mountNamespace,
      });
      return { argv, cwd: '/', env: HOST_ENV };
    },
  };
}

/** TETHER_UNSAFE_NO_SANDBOX=1: the command runs as the server user, in the workspace directory. */
export function unconfinedLauncher(o: { workspaceDir: string }): Launcher {
  return {
    workspacePath: o.workspaceDir,
    bindPath: (b) => b.source,
    launch(spec) {
      return {
        argv: spec.command,
        cwd: path.join(o.workspaceDir, checkRelative(spec.cwd ?? '')),
        env: { HOME: o.workspaceDir, PATH: DEFAULT_PATH.replace(SANDBOX_WORKSPACE, o.workspaceDir), LANG: 'C.UTF-8', ...spec.env },
      };
    },
  };
}
