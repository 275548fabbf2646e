// The seam between Tether and wherever a workspace's files and processes live. The default
// `local` provider keeps each workspace in a directory and runs every process in a bubblewrap
// sandbox; other providers (Kubernetes pods, …) implement the same interface.
import type { EgressPolicy, EgressScope } from './egress/proxies.ts';
import type { FileService } from './files.ts';
import type { PtyFlow } from './pty-flow.ts';

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
  /** Scrollback and flow-control bounds; default DEFAULT_PTY_FLOW. */
  flow?: Partial<PtyFlow>;
}

export interface PtyChunk { data: string; start: number; end: number }
export interface PtyExit { exitCode: number; signal?: number }
/** Bytes [start, end) of a pty's output; `missed` bytes before `start` had left its ring buffer. */
export interface PtySlice { start: number; end: number; missed: number; data: Buffer }

/** What a pty reports; given when it is opened or adopted, so no output arrives before it. */
export interface PtyEvents {
  /** Output, with its offsets in the pty's ring buffer (bytes since it started). */
  onData(chunk: PtyChunk): void;
  onExit(exit: PtyExit): void;
  /** The workspace host (which owns the pty) went away; the words say how. */
  onLost(reason: string): void;
}

/** A pty of the workspace, owned by its workspace host, which keeps its ring buffer and outlives the server. */
export interface SandboxPty {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Flow control: this many more characters of output were taken (rendered by the browsers). */
  ack(chars: number): void;
  /** Output from `from` (null: all still buffered), handed over before any later output is. */
  replay(from: number | null, done: (err: Error | null, slice?: PtySlice) => void): void;
  /** Ends the pty and its processes. */
  kill(): void;
  /** Stops following it without ending it (server shutdown): the host keeps it for the next server. */
  release(): void;
}

/** A pty as its host describes it. */
export interface PtyState {
  id: string; cols: number; rows: number; createdAt: string;
  /** Offset just past the last byte produced. */
  end: number;
  exit: PtyExit | null;
}

export interface Snapshot { id: string; createdAt: string; label: string }

export interface Workspace {
  readonly id: string;
  readonly files: FileService;
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts a pty in the workspace host; `id` names it there (the server's terminal id). */
  openPty(options: PtyOptions & { id: string }, events: PtyEvents): Promise<{ pty: SandboxPty; state: PtyState }>;
  /** The ptys the workspace host still has (a previous server process opened them); none when it is not running. */
  ptys(): Promise<PtyState[]>;
  /** Follows a pty the host has (from ptys()); null when the host is gone. */
  adoptPty(id: string, events: PtyEvents): SandboxPty | null;
  /** Snapshot hooks for checkpoints: record the whole tree, restore it later. */
  snapshot(label: string): Promise<Snapshot>;
  restore(snapshotId: string): Promise<void>;
  /**
   * Read checkpoints without restoring them (a reviewer scrubbing back in time), many per call:
   * each one's paths; one file's text in each (null: absent). snapshotFile reads the first
   * checkpoint's always, the others' up to maxOthersBytes each; what is left out is absent from the map.
   */
  snapshotFiles(snapshotIds: string[]): Promise<Map<string, string[]>>;
  snapshotFile(snapshotIds: string[], path: string, maxOthersBytes?: number): Promise<Map<string, string | null>>;
  /** Kill every process of this workspace (its sandboxes), leaving files in place. */
  killAll(): Promise<void>;
  /** killAll, then give back what the host holds for it (cgroups); open it again to use it. */
  close(): Promise<void>;
  /**
   * The server is shutting down: its own processes end, but a workspace host with terminals keeps
   * running for the next server process. Returns whether it does.
   */
  release(): Promise<boolean>;
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
