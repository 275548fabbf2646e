// A folder of a workspace as a zip, streamed: the tree is walked and every file read through the
// workspace host (inside the sandbox, as the workspace uid), and zipped on the server: fflate
// writes the zip format, Node's zlib deflates. Symbolic links and special files are left out (a
// link is not followed, even inside).
import type { Writable } from 'node:stream';
import { deflateRaw } from 'node:zlib';
import { Zip, ZipPassThrough, type FlateError } from 'fflate';
import { FileError } from './file-errors.ts';
import type { FileEntry, FileService } from './files.ts';

export interface ZipLimits {
  /** Per file: the host sends one file as one frame (64 MiB at most). */
  fileBytes: number;
  totalBytes: number;
  files: number;
}

/** Sizes a browser download reasonably takes; a larger tree belongs to git or the terminal. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { fileBytes: 48 * 1024 * 1024, totalBytes: 512 * 1024 * 1024, files: 20_000 };

/** How far reading runs ahead of zipping: a few files, a few MiB. */
const READ_AHEAD_FILES = 16;
const READ_AHEAD_BYTES = 8 * 1024 * 1024;

/**
 * A zip entry deflated by zlib in Node's thread pool: fflate's own deflate is JavaScript on the
 * event loop (about 4 MiB/s on this machine under load; bench/git-transfers.ts). The whole file
 * is pushed at once, so the entry is one raw deflate stream; `done` settles once it is written.
 */
class NativeDeflateEntry extends ZipPassThrough {
  readonly done: Promise<void>;
  private settle!: (err: Error | null) => void;

  constructor(filename: string) {
    super(filename);
    this.compression = 8;
    this.done = new Promise((resolve, reject) => { this.settle = (err) => (err ? reject(err) : resolve()); });
  }

  protected override process(chunk: Uint8Array, final: boolean): void {
    deflateRaw(chunk, { level: 6 }, (err, out) => {
      this.ondata(err as FlateError | null, out, final);
      this.settle(err);
    });
  }
}

export interface ZipPlan { root: string; files: FileEntry[]; dirs: FileEntry[]; totalBytes: number }

/** Walks `dir` (breadth first), or says in words why it is too large to zip. */
export async function planZip(files: FileService, dir: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipPlan> {
  const plan: ZipPlan = { root: dir, files: [], dirs: [], totalBytes: 0 };
  const queue = [dir];
  while (queue.length) {
    const current = queue.shift()!;
    for (const e of await files.list(current)) {
      if (e.type === 'directory') { plan.dirs.push(e); queue.push(e.path); continue; }
      if (e.type !== 'file') continue;
      if (e.size > limits.fileBytes) throw new FileError('TOO_LARGE', `${e.path} is too large to download in a zip (${e.size} bytes; at most ${limits.fileBytes} per file)`, e.path);
      plan.files.push(e);
      plan.totalBytes += e.size;
      if (plan.files.length > limits.files) throw new FileError('TOO_LARGE', `${dir || 'The workspace'} has more than ${limits.files} files to zip`, dir);
      if (plan.totalBytes > limits.totalBytes) throw new FileError('TOO_LARGE', `${dir || 'The workspace'} holds more than ${limits.totalBytes} bytes to zip`, dir);
    }
  }
  return plan;
}

/** Names inside the zip are relative to the folder zipped. */
const inZip = (plan: ZipPlan, p: string) => (plan.root ? p.slice(plan.root.length + 1) : p);

/** Writes the zip to `out`, waiting when it is full; files gone since the walk are left out. */
export async function writeZip(files: FileService, plan: ZipPlan, out: Writable, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  let failed: Error | null = null;
  const zip = new Zip((err, chunk, final) => {
    if (err) { failed = err; return; }
    out.write(chunk);
    if (final) out.end();
  });
  // A browser that goes away mid-zip closes the stream instead: stop waiting then too.
  const drained = () => (out.writableNeedDrain ? new Promise<void>((resolve) => { out.once('drain', resolve); out.once('close', resolve); }) : Promise.resolve());

  for (const d of plan.dirs) {
    // Empty folders survive the round trip too.
    const entry = new ZipPassThrough(`${inZip(plan, d.path)}/`);
    zip.add(entry);
    entry.push(new Uint8Array(0), true);
  }
  // Reads run ahead of the zipping (each one is a round trip to the host), within a budget.
  const reads = new Map<number, Promise<Buffer | null>>();
  let next = 0;
  let aheadBytes = 0;
  const readAhead = (from: number) => {
    while (next < plan.files.length && next - from < READ_AHEAD_FILES && (next === from || aheadBytes + plan.files[next]!.size <= READ_AHEAD_BYTES)) {
      const f = plan.files[next]!;
      aheadBytes += f.size;
      reads.set(next++, files.readBytes(f.path, limits.fileBytes).catch((err: unknown) => {
        // Gone (or turned into something else) since the walk: left out.
        if (err instanceof FileError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_PATH')) return null;
        throw err;
      }));
    }
  };
  try {
    for (const [i, f] of plan.files.entries()) {
      // The browser went away: stop reading the workspace for nobody.
      if (out.destroyed) break;
      readAhead(i);
      const read = reads.get(i)!;
      reads.delete(i);
      const bytes = await read;
      aheadBytes -= f.size;
      if (!bytes) continue;
      const entry = new NativeDeflateEntry(inZip(plan, f.path));
      entry.mtime = f.mtimeMs;
      zip.add(entry);
      entry.push(bytes, true);
      // Entries go out in order, and no faster than the browser takes them.
      await entry.done;
      if (failed) throw failed;
      await drained();
    }
  } finally {
    // Reads started for nothing (the browser left, or an earlier read failed) must not reject unheard.
    for (const r of reads.values()) r.catch(() => {});
  }
  if (out.destroyed) return;
  zip.end();
  if (failed) throw failed;
}
