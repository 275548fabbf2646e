// A folder of a workspace as a zip, streamed: the tree is walked and every file read through the
// workspace host (inside the sandbox, as the workspace uid), and compressed on the server with
// fflate. Symbolic links and special files are left out (a link is not followed, even inside).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
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

/** Compressing in slices, yielding between them, keeps one large file from stalling the server. */
const SLICE_BYTES = 1024 * 1024;

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
  const drained = () => (out.writableNeedDrain ? new Promise<void>((resolve) => out.once('drain', () => resolve())) : Promise.resolve());

  for (const d of plan.dirs) {
    // Empty folders survive the round trip too.
    const entry = new ZipPassThrough(`${inZip(plan, d.path)}/`);
    zip.add(entry);
    entry.push(new Uint8Array(0), true);
  }
  for (const f of plan.files) {
    // The browser went away: stop reading the workspace for nobody.
    if (out.destroyed) return;
    let bytes: Buffer;
    try {
      bytes = await files.readBytes(f.path, limits.fileBytes);
    } catch (err) {
      if (err instanceof FileError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_PATH')) continue;
      throw err;
    }
    const entry = new ZipDeflate(inZip(plan, f.path), { level: 6 });
    entry.mtime = f.mtimeMs;
    zip.add(entry);
    for (let at = 0; at < bytes.length || at === 0; at += SLICE_BYTES) {
      const end = Math.min(bytes.length, at + SLICE_BYTES);
      entry.push(bytes.subarray(at, end), end === bytes.length);
      if (failed) throw failed;
      await drained();
      await yieldToLoop();
      if (end === bytes.length) break;
    }
  }
  zip.end();
  if (failed) throw failed;
}
