// The seam between Tether and wherever a workspace's files and processes live. The default
// `local` provider keeps each workspace in a directory and runs every process in a bubblewrap
// sandbox; other providers (Kubernetes pods, …) implement the same interface.
import type { EgressPolicy, EgressScope } from './egress/proxies.ts';
import type { FileService } from './files.ts';

export type WorkspaceSource =
  | { kind: 'empty' }
  | { kind: 'template'; template: string }
  | { kind: 'git'; url: string };

export interface WorkspaceSpec {
  id: string;
  source: WorkspaceSource;
  /** Off unless an admin allows it for this workspace. */
  networkAllowed: boolean;
  /** Unprivileged uid (and gid) every process of this workspace runs as. */
  uid: number;
}

export interface ExecOptions {
  /** Relative to the workspace root. */
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  /** Output beyond this is cut, keeping the head and the tail, with a note in between. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Connections from this command go through the scope's own proxy (an agent run's task profile), not the workspace's shared one. */
  egress?: EgressScope;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface PtyOptions {
  cols: number;
  rows: number;
  /** Relative to the workspace root. */
  cwd?: string;
  /** Default: the user's login shell inside the sandbox. */
  command?: string[];
  /** Extra variables (secrets a rule exposes); the terminal's own TERM and prompt win. */
  env?: Record<string, string>;
}

/** A pseudo-terminal running inside the workspace sandbox. */
export interface SandboxPty {
  readonly pid: number;
  onData(listener: (data: string) => void): { dispose(): void };
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Flow control: stop reading from the pty until resume(). */
  pause(): void;
  resume(): void;
  kill(): void;
}

export interface Snapshot { id: string; createdAt: string; label: string }

export interface Workspace {
  readonly id: string;
  readonly files: FileService;
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>;
  spawnPty(options: PtyOptions): SandboxPty;
  /** Snapshot hooks for checkpoints: record the whole tree, restore it later. */
  snapshot(label: string): Promise<Snapshot>;
  restore(snapshotId: string): Promise<void>;
  /** Read a checkpoint without restoring it (a reviewer scrubbing back in time): its paths, one file's text (null: absent). */
  snapshotFiles(snapshotId: string): Promise<string[]>;
  snapshotFile(snapshotId: string, path: string): Promise<string | null>;
  /** Kill every process of this workspace (its sandboxes), leaving files in place. */
  killAll(): Promise<void>;
  /** killAll, then give back what the host holds for it (cgroups); open it again to use it. */
  close(): Promise<void>;
  /**
   * Measures its disk use against the quota (null: no quota). Where no disk image enforces the
   * quota, a full workspace's processes are stopped here and new ones refused until it has room.
   */
  checkDisk(): Promise<DiskStatus | null>;
}

export interface DiskStatus {
  /** image: the kernel refuses writes past the quota; watchdog: processes are stopped once over it. */
  enforcement: 'image' | 'watchdog';
  quotaBytes: number;
  usedBytes: number;
  full: boolean;
}

export interface SandboxCapabilities {
  /** False only when TETHER_UNSAFE_NO_SANDBOX=1 let the provider start without bubblewrap. */
  confined: boolean;
  bubblewrap: string | null;
  prlimit: boolean;
  cgroups: 'v1' | 'v2' | 'hybrid' | null;
  /** image: each workspace is a loop-mounted disk image of TETHER_WORKSPACE_DISK_BYTES; watchdog: this host cannot loop-mount, usage is polled; off: set to 0. */
  diskQuota?: 'image' | 'watchdog' | 'off';
  notes: string[];
}

export interface WorkspaceProvider {
  readonly name: string;
  capabilities(): SandboxCapabilities;
  /** Provisions the workspace; on failure nothing is left behind. */
  create(spec: WorkspaceSpec, onProgress?: (message: string) => void): Promise<Workspace>;
  /** Re-attaches to an existing workspace (after a server restart). */
  open(spec: WorkspaceSpec): Promise<Workspace>;
  /** Kills its processes and deletes its files. */
  destroy(id: string): Promise<void>;
  /** Who decides what leaves a network-on workspace (set once the approvals exist); until then nothing does. */
  setEgressPolicy?(policy: EgressPolicy): void;
}
