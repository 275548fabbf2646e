// The file API of one workspace, for the editor, the file tree, the watcher and the agent.
// Paths are relative to the workspace root. The server only checks their syntax
// (`checkRelative`, the first line); every operation then runs in the workspace host
// (host/program.mjs), inside the workspace sandbox as the workspace uid. A check-then-act done
// as root can be raced by a process in the workspace swapping a directory for a symlink; done
// by the host, the worst a race reaches is what the sandbox reaches. What the host creates
// already belongs to the workspace uid.
import { FileError } from './file-errors.ts';
import { watchStreamDataSchema } from './host/protocol.ts';
import { HostOpError, type WorkspaceHost } from './host/workspace-host.ts';
import { checkRelative } from './paths.ts';

export { FileError, type FileErrorCode } from './file-errors.ts';

/** Files above this open read-only with a notice instead of their content. */
export const DEFAULT_MAX_READ_BYTES = 5 * 1024 * 1024;

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface FileEntry {
  name: string;
  /** Relative to the workspace root, `/`-separated. */
  path: string;
  type: EntryType;
  size: number;
  mtimeMs: number;
}

export type ReadResult =
  | { kind: 'text'; path: string; content: string; size: number; mtimeMs: number; hash: string }
  /** Binary or too large: shown read-only with a notice; no content is sent. */
  | { kind: 'binary' | 'too-large'; path: string; size: number; mtimeMs: number; hash: string | null; readOnly: true };

export interface WriteResult { path: string; size: number; mtimeMs: number; hash: string }

/** What the writer last saw; a mismatch means someone else changed the file (CONFLICT). */
export interface Expected { mtimeMs?: number; hash?: string }

export interface FileService {
  /** The workspace directory on the server's filesystem (for tests and benchmarks; never touched as root). */
  readonly root: string;
  list(dir?: string): Promise<FileEntry[]>;
  stat(path: string): Promise<FileEntry>;
  read(path: string): Promise<ReadResult>;
  /** Any regular file's bytes (downloads); TOO_LARGE above maxBytes. */
  readBytes(path: string, maxBytes: number): Promise<Buffer>;
  write(path: string, content: string | Buffer, expected?: Expected): Promise<WriteResult>;
  createFile(path: string, content?: string | Buffer): Promise<WriteResult>;
  createDir(path: string): Promise<FileEntry>;
  rename(from: string, to: string): Promise<void>;
  /** Directories are deleted with their contents. */
  delete(path: string): Promise<void>;
  /** Live changes, debounced into batches, until the watcher is closed or the host stops (`onEnd`). */
  watch(onEvents: (events: WatchEvent[]) => void, o?: WatchOptions): Promise<WorkspaceWatcher>;
}

export type FileChange = 'created' | 'changed' | 'deleted';
export interface WatchEvent { path: string; change: FileChange; type: EntryType | null }
export interface WorkspaceWatcher { close(): Promise<void> }
export interface WatchOptions {
  debounceMs?: number;
  /** The host stopped: no more events will come from this watcher. */
  onEnd?: (reason: string) => void;
  /** The tree has more directories than the host watches. */
  onPartial?: (maxDirs: number) => void;
}

export const WATCH_DEBOUNCE_MS = 75;

export interface FileServiceOptions {
  /** The workspace directory as the server sees it. */
  root: string;
  host: WorkspaceHost;
}

/** The host's refusals become the file API's typed errors, with the host's words. */
function fileError(e: unknown, rel: string): unknown {
  if (!(e instanceof HostOpError)) return e;
  return e.code === 'INTERNAL' ? new Error(e.message) : new FileError(e.code, e.message, rel);
}

export function createFileService(o: FileServiceOptions): FileService {
  const host = o.host;
  /** Syntax first, on the server (refused paths never reach the host); then the host acts. */
  const onPath = async <T>(input: string, f: (rel: string) => Promise<T>): Promise<T> => {
    const rel = checkRelative(input);
    try {
      return await f(rel);
    } catch (e) {
      throw fileError(e, rel);
    }
  };
  const write = (input: string, content: string | Buffer, expected: Expected | undefined, mustCreate: boolean) =>
    onPath(input, (rel) => host.call('write', {
      path: rel, content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content, expected, mustCreate,
    }));

  return {
    root: o.root,
    list: (dir = '') => onPath(dir, (rel) => host.call('list', { path: rel })),
    stat: (p) => onPath(p, (rel) => host.call('stat', { path: rel })),
    read: (p) => onPath(p, (rel) => host.call('read', { path: rel, maxBytes: DEFAULT_MAX_READ_BYTES })),
    readBytes: (p, maxBytes) => onPath(p, async (rel) => (await host.call('readBytes', { path: rel, maxBytes })).content),
    write: (p, content, expected) => write(p, content, expected, false),
    createFile: (p, content = '') => write(p, content, undefined, true),
    createDir: (p) => onPath(p, (rel) => host.call('mkdir', { path: rel })),
    rename: (from, to) => onPath(from, (fromRel) => onPath(to, async (toRel) => {
      await host.call('rename', { from: fromRel, to: toRel });
    })),
    delete: (p) => onPath(p, async (rel) => {
      await host.call('delete', { path: rel });
    }),
    async watch(onEvents, w = {}) {
      const stream = await host.openStream('watch.start', { debounceMs: w.debounceMs ?? WATCH_DEBOUNCE_MS }, (data) => {
        const parsed = watchStreamDataSchema.safeParse(data);
        if (!parsed.success) return;
        if (parsed.data.kind === 'changes') onEvents(parsed.data.events);
        else w.onPartial?.(parsed.data.max);
      }, (reason) => w.onEnd?.(reason));
      return { close: () => stream.close() };
    },
  };
}
