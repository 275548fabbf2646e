// The file API of a workspace in a pod. Every operation is a short POSIX shell script run through
// the exec API in the workspace container, as the workspace uid, with paths passed as arguments
// (never spliced into the script). So, as with the local workspace host, a process in the
// workspace racing a check can reach no more than the pod itself holds: the claim, /tmp and a
// read-only image. The image needs sh, GNU find, coreutils (base64, sha256sum, timeout). Content
// comes back base64-encoded because exec output is collected as text.
// Not the local provider's host program (host/program.mjs) running in the pod: that would need
// node and node-pty in every workspace image; see docs/deploy.md.
import { createHash } from 'node:crypto';
import { FileError, type FileErrorCode } from '../file-errors.ts';
import { DEFAULT_MAX_READ_BYTES, type EntryType, type FileEntry, type FileService, type WatchEvent } from '../files.ts';
import { checkRelative } from '../paths.ts';
import type { ExecResult } from '../provider.ts';

/** How often the tree is listed to find changes: the exec API has no inotify to offer. */
export const WATCH_POLL_MS = 2_000;
/** Listing output past this is cut and reported as a partial watch. */
const WATCH_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
const BINARY_SNIFF_BYTES = 8000;

/** Runs a script in the pod, in the workspace directory: `$1`… are its arguments. */
export type PodScript = (script: string, args: string[], o?: { stdin?: Buffer; maxOutputBytes?: number }) => Promise<ExecResult>;

/** Exit codes the scripts below use for the file API's refusals. */
const CODES: Record<number, FileErrorCode> = {
  10: 'NOT_FOUND', 11: 'ALREADY_EXISTS', 12: 'NOT_A_DIRECTORY', 13: 'IS_A_DIRECTORY', 14: 'CONFLICT', 15: 'TOO_LARGE', 16: 'INVALID_PATH',
};
const WORDS: Record<FileErrorCode, string> = {
  NOT_FOUND: 'No such file or directory', ALREADY_EXISTS: 'Already exists', NOT_A_DIRECTORY: 'Not a directory',
  IS_A_DIRECTORY: 'Is a directory', CONFLICT: 'File changed on disk since it was read', TOO_LARGE: 'Too large',
  INVALID_PATH: 'Not a regular file', PERMISSION_DENIED: 'Permission denied', NO_SPACE: 'No space left on device',
  OUTSIDE_WORKSPACE: 'Outside the workspace',
};
/** What coreutils say on stderr when a script did not get as far as its own checks. */
const STDERR_CODES: [RegExp, FileErrorCode][] = [
  [/No space left on device|Disk quota exceeded/i, 'NO_SPACE'], [/Permission denied|Read-only file system/i, 'PERMISSION_DENIED'],
  [/No such file or directory/i, 'NOT_FOUND'], [/Not a directory/i, 'NOT_A_DIRECTORY'], [/Is a directory/i, 'IS_A_DIRECTORY'], [/File exists/i, 'ALREADY_EXISTS'],
];

const FORMAT = String.raw`%y\t%s\t%T@\t%P\0`;
const EXISTS = '{ [ -e "$1" ] || [ -L "$1" ]; }';
const S = {
  // -H: a symlink named by the caller is followed (listing or reading through it), never one found inside.
  list: `${EXISTS} || exit 10; [ -d "$1" ] || exit 12; find -H "$1" -mindepth 1 -maxdepth 1 -printf '${FORMAT}'`,
  stat: `${EXISTS} || exit 10; find "$1" -maxdepth 0 -printf '${FORMAT}'`,
  // $2: the largest size returned; $3: 1 to refuse a larger file rather than describe it.
  read: `[ -e "$1" ] || exit 10; [ -d "$1" ] && exit 13; [ -f "$1" ] || exit 16
s=$(find -H "$1" -maxdepth 0 -printf '%s') && m=$(find -H "$1" -maxdepth 0 -printf '%T@') || exit 1
printf '%s\\t%s\\n' "$s" "$m"
[ "$s" -gt "$2" ] && { [ "$3" = 1 ] && exit 15; exit 0; }
base64 -w0 -- "$1"`,
  // $2: 1 must create; $3: the sha256 the writer last saw (empty: none). Content on stdin.
  write: `if [ "$2" = 1 ]; then ${EXISTS} && exit 11; fi
[ -d "$1" ] && exit 13
if [ -n "$3" ]; then [ -e "$1" ] || exit 14; h=$(sha256sum < "$1") || exit 1; [ "\${h%% *}" = "$3" ] || exit 14; fi
cat > "$1" || exit 1; find -H "$1" -maxdepth 0 -printf '${FORMAT}'`,
  mkdir: `mkdir -- "$1" || exit 1; find "$1" -maxdepth 0 -printf '${FORMAT}'`,
  rename: `${EXISTS} || exit 10; { [ -e "$2" ] || [ -L "$2" ]; } && exit 11; mv -T -- "$1" "$2"`,
  delete: `${EXISTS} || exit 10; rm -rf -- "$1"`,
  // The whole tree but the insides of .git and node_modules, which change in bulk and nobody browses live.
  tree: `find . -mindepth 1 \\( \\( -name .git -o -name node_modules \\) -prune -printf '${FORMAT}' \\) -o -printf '${FORMAT}'`,
};

const TYPES: Record<string, EntryType> = { f: 'file', d: 'directory', l: 'symlink' };

function parseEntries(out: string): FileEntry[] {
  return out.split('\0').filter(Boolean).map((line) => {
    const [type, size, mtime, ...rest] = line.split('\t');
    const p = rest.join('\t');
    return { name: p.slice(p.lastIndexOf('/') + 1), path: p, type: TYPES[type!] ?? 'other', size: Number(size), mtimeMs: Number(mtime) * 1000 };
  });
}

const byDirThenName = (a: FileEntry, b: FileEntry) =>
  (a.type === 'directory') !== (b.type === 'directory') ? (a.type === 'directory' ? -1 : 1) : a.name.localeCompare(b.name);

function isBinary(buf: Buffer): boolean {
  if (buf.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return false;
  } catch {
    return true;
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function createPodFileService(o: { root: string; run: PodScript }): FileService {
  /** The script's refusal as the file API's error; anything else in the pod's own words. */
  const checked = async (rel: string, script: string, args: string[], opts?: Parameters<PodScript>[2]): Promise<string> => {
    const r = await o.run(script, args, opts);
    if (r.exitCode === 0) return r.stdout;
    const code = r.exitCode !== null ? CODES[r.exitCode] : undefined;
    if (code) throw new FileError(code, `${WORDS[code]}: ${rel || '/'}`, rel);
    const fromStderr = STDERR_CODES.find(([re]) => re.test(r.stderr))?.[1];
    if (fromStderr) throw new FileError(fromStderr, `${WORDS[fromStderr]}: ${rel || '/'}`, rel);
    throw new Error(`The workspace pod could not do this (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`}): ${r.stderr.trim().slice(0, 500)}`);
  };
  /** `rel` as the scripts name it: relative to the workspace directory they run in. */
  const arg = (rel: string) => (rel === '' ? '.' : `./${rel}`);
  const entryOf = (rel: string, out: string): FileEntry => {
    const e = parseEntries(out)[0];
    if (!e) throw new Error(`The workspace pod described nothing for ${rel || '/'}`);
    return { ...e, path: rel, name: rel.slice(rel.lastIndexOf('/') + 1) };
  };
  const readRaw = async (rel: string, maxBytes: number, refuseLarge: boolean) => {
    const out = await checked(rel, S.read, [arg(rel), String(maxBytes), refuseLarge ? '1' : '0'], { maxOutputBytes: Math.ceil(maxBytes / 3) * 4 + 1024 });
    const nl = out.indexOf('\n');
    const [size, mtime] = out.slice(0, nl).split('\t');
    // Past maxBytes the script describes the file and sends no content.
    const content = Number(size) > maxBytes ? null : Buffer.from(out.slice(nl + 1), 'base64');
    return { size: Number(size), mtimeMs: Number(mtime) * 1000, content };
  };
  const write = async (input: string, content: string | Buffer, expectedHash: string | undefined, mustCreate: boolean) => {
    const rel = checkRelative(input);
    if (rel === '') throw new FileError('IS_A_DIRECTORY', 'Cannot write the workspace root', rel);
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const e = entryOf(rel, await checked(rel, S.write, [arg(rel), mustCreate ? '1' : '0', expectedHash ?? ''], { stdin: data }));
    return { path: rel, size: e.size, mtimeMs: e.mtimeMs, hash: sha256(data) };
  };

  return {
    root: o.root,
    async list(dir = '') {
      const rel = checkRelative(dir);
      const entries = parseEntries(await checked(rel, S.list, [arg(rel)]));
      return entries.map((e) => ({ ...e, path: rel ? `${rel}/${e.name}` : e.name })).sort(byDirThenName);
    },
    async stat(p) {
      const rel = checkRelative(p);
      return entryOf(rel, await checked(rel, S.stat, [arg(rel)]));
    },
    async read(p) {
      const rel = checkRelative(p);
      const r = await readRaw(rel, DEFAULT_MAX_READ_BYTES, false);
      if (!r.content) return { kind: 'too-large', path: rel, size: r.size, mtimeMs: r.mtimeMs, hash: null, readOnly: true };
      const hash = sha256(r.content);
      if (isBinary(r.content)) return { kind: 'binary', path: rel, size: r.content.length, mtimeMs: r.mtimeMs, hash, readOnly: true };
      return { kind: 'text', path: rel, content: r.content.toString('utf8'), size: r.content.length, mtimeMs: r.mtimeMs, hash };
    },
    async readBytes(p, maxBytes) {
      const rel = checkRelative(p);
      return (await readRaw(rel, maxBytes, true)).content ?? Buffer.alloc(0);
    },
    async write(p, content, expected) {
      const hash = expected?.hash;
      if (hash === undefined && expected?.mtimeMs !== undefined) {
        // Only an mtime to go by: compared here, a moment before the write (the hash check is done in the pod).
        const rel = checkRelative(p);
        const now = await this.stat(rel).catch((e: unknown) => {
          if (e instanceof FileError && e.code === 'NOT_FOUND') throw new FileError('CONFLICT', `File was deleted on disk: ${rel}`, rel);
          throw e;
        });
        if (now.mtimeMs !== expected.mtimeMs) throw new FileError('CONFLICT', `File changed on disk since it was read: ${rel}`, rel);
      }
      return write(p, content, hash, false);
    },
    createFile: (p, content = '') => write(p, content, undefined, true),
    async createDir(p) {
      const rel = checkRelative(p);
      if (rel === '') throw new FileError('ALREADY_EXISTS', 'The workspace root exists', rel);
      return entryOf(rel, await checked(rel, S.mkdir, [arg(rel)]));
    },
    async rename(fromInput, toInput) {
      const from = checkRelative(fromInput);
      const to = checkRelative(toInput);
      if (from === '' || to === '') throw new FileError('INVALID_PATH', 'Cannot rename the workspace root', from);
      if (to === from || to.startsWith(`${from}/`)) throw new FileError('INVALID_PATH', `Cannot move a directory into itself: ${to}`, to);
      await checked(from, S.rename, [arg(from), arg(to)]);
    },
    async delete(p) {
      const rel = checkRelative(p);
      if (rel === '') throw new FileError('INVALID_PATH', 'Cannot delete the workspace root', rel);
      await checked(rel, S.delete, [arg(rel)]);
    },
    async watch(onEvents, w = {}) {
      const listTree = async () => {
        const r = await o.run(S.tree, [], { maxOutputBytes: WATCH_MAX_OUTPUT_BYTES });
        if (r.exitCode !== 0) throw new Error(`Listing the workspace failed: ${r.stderr.trim().slice(0, 300)}`);
        if (r.truncated) w.onPartial?.(0);
        return new Map(parseEntries(r.stdout).map((e) => [e.path, e]));
      };
      let seen = await listTree();
      let closed = false;
      let timer: NodeJS.Timeout | null = null;
      const poll = async () => {
        try {
          const now = await listTree();
          if (closed) return;
          const events: WatchEvent[] = [];
          for (const [p, e] of now) {
            const before = seen.get(p);
            if (!before) events.push({ path: p, change: 'created', type: e.type });
            else if (before.mtimeMs !== e.mtimeMs || before.size !== e.size || before.type !== e.type) events.push({ path: p, change: 'changed', type: e.type });
          }
          for (const p of seen.keys()) if (!now.has(p)) events.push({ path: p, change: 'deleted', type: null });
          seen = now;
          if (events.length > 0) onEvents(events.sort((a, b) => a.path.localeCompare(b.path)));
          timer = setTimeout(() => void poll(), WATCH_POLL_MS);
        } catch (err) {
          if (!closed) w.onEnd?.(err instanceof Error ? err.message : String(err));
          closed = true;
        }
      };
      timer = setTimeout(() => void poll(), WATCH_POLL_MS);
      return {
        close: async () => {
          closed = true;
          if (timer) clearTimeout(timer);
        },
      };
    },
  };
}
