// The file API of one workspace, for the editor, the file tree and the agent. Every path is
// relative to the workspace root and goes through `WorkspacePaths` (see paths.ts for the rules
// and the race it closes). The server runs as root, so whatever it creates is handed to the
// workspace uid: files the workspace cannot change would break its own tools.
import { createHash } from 'node:crypto';
import { constants as C } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FileError, fromErrno } from './file-errors.ts';
import { WorkspacePaths } from './paths.ts';

export { FileError, type FileErrorCode } from './file-errors.ts';

/** Files above this open read-only with a notice instead of their content. */
export const DEFAULT_MAX_READ_BYTES = 5 * 1024 * 1024;
/** A NUL byte in this many leading bytes marks a file as binary (git's heuristic). */
const BINARY_SNIFF_BYTES = 8000;

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
  readonly root: string;
  list(dir?: string): Promise<FileEntry[]>;
  stat(path: string): Promise<FileEntry>;
  read(path: string): Promise<ReadResult>;
  write(path: string, content: string | Buffer, expected?: Expected): Promise<WriteResult>;
  createFile(path: string, content?: string | Buffer): Promise<WriteResult>;
  createDir(path: string): Promise<FileEntry>;
  rename(from: string, to: string): Promise<void>;
  /** Directories are deleted with their contents. */
  delete(path: string): Promise<void>;
}

export interface FileServiceOptions {
  root: string;
  /** Owner of everything the service creates; null leaves ownership alone (unconfined mode). */
  uid: number | null;
  maxReadBytes?: number;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function entryType(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'directory';
  return s.isFile() ? 'file' : 'other';
}

function isBinary(buf: Buffer): boolean {
  if (buf.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return false;
  } catch {
    return true;
  }
}

export function createFileService(o: FileServiceOptions): FileService {
  const paths = new WorkspacePaths(o.root);
  const maxRead = o.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
  const owner = o.uid;
  const wrap = async <T>(rel: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw fromErrno(e, rel);
    }
  };
  const chown = async (abs: string) => {
    if (owner !== null) await fs.lchown(abs, owner, owner);
  };
  const entry = async (rel: string, abs: string): Promise<FileEntry> => {
    const s = await fs.lstat(abs);
    return { name: path.basename(rel), path: rel, type: entryType(s), size: s.size, mtimeMs: s.mtimeMs };
  };

  async function write(input: string, content: string | Buffer, expected: Expected | undefined, mustCreate: boolean): Promise<WriteResult> {
    const { rel, abs: requested } = await paths.containedTarget(input);
    if (rel === '') throw new FileError('IS_A_DIRECTORY', 'Cannot write the workspace root', rel);
    return wrap(rel, async () => {
      // Writing through an in-workspace symlink writes its (already checked) target.
      const abs = await fs.realpath(requested).catch(() => requested);
      const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      let handle: fs.FileHandle;
      let created = false;
      const base = C.O_WRONLY | C.O_NOFOLLOW | C.O_NONBLOCK;
      try {
        handle = await fs.open(abs, base | C.O_CREAT | C.O_EXCL, 0o644);
        created = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || mustCreate) throw e;
        handle = await fs.open(abs, base);
      }
      try {
        try {
          await paths.assertFdInside(handle.fd, rel);
        } catch (e) {
          if (created) await fs.unlink(await fs.readlink(`/proc/self/fd/${handle.fd}`)).catch(() => {});
          throw e;
        }
        const st = await handle.stat();
        if (!st.isFile()) throw new FileError('IS_A_DIRECTORY', `Not a regular file: ${rel}`, rel);
        if (expected && (expected.mtimeMs !== undefined || expected.hash !== undefined)) {
          if (created) throw new FileError('CONFLICT', `File was deleted on disk: ${rel}`, rel);
          const mtimeChanged = expected.mtimeMs !== undefined && expected.mtimeMs !== st.mtimeMs;
          // Reading back only to compare hashes: an mtime match alone is trusted.
          const hashChanged = expected.hash !== undefined && (mtimeChanged || expected.mtimeMs === undefined)
            && expected.hash !== sha256(await fs.readFile(`/proc/self/fd/${handle.fd}`));
          if (expected.hash !== undefined ? hashChanged : mtimeChanged) {
            throw new FileError('CONFLICT', `File changed on disk since it was read: ${rel}`, rel);
          }
        }
        await handle.truncate(0);
        await handle.write(data, 0, data.length, 0);
        if (owner !== null) await handle.chown(owner, owner);
        const after = await handle.stat();
        return { path: rel, size: after.size, mtimeMs: after.mtimeMs, hash: sha256(data) };
      } finally {
        await handle.close();
      }
    });
  }

  return {
    root: o.root,

    async list(dir = '') {
      const { rel, abs } = await paths.containedTarget(dir);
      return wrap(rel, async () => {
        const names = await fs.readdir(abs);
        const entries = await Promise.all(names.map((n) => entry(rel ? `${rel}/${n}` : n, path.join(abs, n)).catch(() => null)));
        return entries
          .filter((e): e is FileEntry => e !== null)
          .sort((a, b) => (a.type === 'directory') !== (b.type === 'directory') ? (a.type === 'directory' ? -1 : 1) : a.name.localeCompare(b.name));
      });
    },

    async stat(input) {
      const { rel, abs } = await paths.containedParent(input);
      return wrap(rel, () => entry(rel, abs));
    },

    async read(input) {
      const { rel, abs } = await paths.containedTarget(input);
      return wrap(rel, async () => {
        // O_NONBLOCK: a FIFO planted in the workspace must not hang the server.
        const handle = await fs.open(abs, C.O_RDONLY | C.O_NONBLOCK);
        try {
          await paths.assertFdInside(handle.fd, rel);
          const st = await handle.stat();
          if (st.isDirectory()) throw new FileError('IS_A_DIRECTORY', `Is a directory: ${rel}`, rel);
          if (!st.isFile()) throw new FileError('INVALID_PATH', `Not a regular file: ${rel}`, rel);
          if (st.size > maxRead) return { kind: 'too-large', path: rel, size: st.size, mtimeMs: st.mtimeMs, hash: null, readOnly: true };
          const buf = await handle.readFile();
          const hash = sha256(buf);
          if (isBinary(buf)) return { kind: 'binary', path: rel, size: buf.length, mtimeMs: st.mtimeMs, hash, readOnly: true };
          return { kind: 'text', path: rel, content: buf.toString('utf8'), size: buf.length, mtimeMs: st.mtimeMs, hash };
        } finally {
          await handle.close();
        }
      });
    },

    write: (p, content, expected) => write(p, content, expected, false),
    createFile: (p, content = '') => write(p, content, undefined, true),

    async createDir(input) {
      const { rel, abs } = await paths.containedParent(input);
      if (rel === '') throw new FileError('ALREADY_EXISTS', 'The workspace root exists', rel);
      return wrap(rel, async () => {
        await fs.mkdir(abs, { mode: 0o755 });
        await chown(abs);
        return entry(rel, abs);
      });
    },

    async rename(fromInput, toInput) {
      const from = await paths.containedParent(fromInput);
      const to = await paths.containedParent(toInput);
      if (from.rel === '' || to.rel === '') throw new FileError('INVALID_PATH', 'Cannot rename the workspace root', from.rel);
      if (isInsideRel(from.rel, to.rel)) throw new FileError('INVALID_PATH', `Cannot move a directory into itself: ${to.rel}`, to.rel);
      await wrap(from.rel, () => fs.lstat(from.abs));
      // rename(2) silently replaces; the UI expects "already exists" instead.
      const exists = await fs.lstat(to.abs).then(() => true, () => false);
      if (exists) throw new FileError('ALREADY_EXISTS', `Already exists: ${to.rel}`, to.rel);
      await wrap(to.rel, () => fs.rename(from.abs, to.abs));
    },

    async delete(input) {
      const { rel, abs } = await paths.containedParent(input);
      if (rel === '') throw new FileError('INVALID_PATH', 'Cannot delete the workspace root', rel);
      await wrap(rel, () => fs.lstat(abs));
      // fs.rm removes symlinks themselves and never follows them, also inside directories.
      await wrap(rel, () => fs.rm(abs, { recursive: true, force: false }));
    },
  };
}

function isInsideRel(parent: string, child: string): boolean {
  return child === parent || child.startsWith(`${parent}/`);
}
