// The workspace host: one long-lived process per open workspace, started by the server through
// the workspace launcher, so it runs INSIDE the workspace sandbox AS the workspace uid (or, in
// unconfined mode, as the server user in the workspace directory). Every file operation of the
// file API runs here, and every terminal's pty: a process in the workspace that swaps a
// directory for a symlink can at worst make the host act on what the sandbox itself can reach.
//
// It outlives the server: it listens on a Unix socket (TETHER_HOST_SOCKET, in the workspace's
// state directory outside its files) and a restarted server connects again and finds its ptys
// and their ring buffers as they were. One server connection at a time; a newer one replaces the
// older (the old server is gone). With no server connected for TETHER_HOST_ORPHAN_EXIT_MS it
// exits, and its ptys with it. The first frame of a connection must carry the token the server
// wrote to our stdin at start: the ptys' shells run in this sandbox and can reach the socket too.
//
// Plain dependency-free JavaScript besides node-pty: the sandbox has no node_modules and Node 20
// cannot strip types. The server copies this file, ring-buffer.mjs and node-pty's runtime files
// into a root-owned directory bound read-only into the sandbox. Protocol (see protocol.ts, which
// validates every answer): frames of two big-endian u32 lengths, a UTF-8 JSON message and a raw
// payload (the field named by the message's `bin`: file contents, pty output). The working
// directory is the workspace root.
import { createHash, timingSafeEqual } from 'node:crypto';
import { constants as C, unlinkSync, watch } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { RingBuffer } from './ring-buffer.mjs';

const nodePty = createRequire(import.meta.url)('./node-pty');

const ROOT = process.cwd();
const MAX_FRAME_BYTES = Number(process.env.TETHER_HOST_MAX_FRAME_BYTES) || 64 * 1024 * 1024;
/** A NUL byte in this many leading bytes marks a file as binary (git's heuristic). */
const BINARY_SNIFF_BYTES = 8000;
/** Symlink hops allowed while resolving one path, like the kernel's ELOOP limit. */
const MAX_SYMLINK_HOPS = 40;
/** Directories whose insides change in bulk and nobody browses live. */
const IGNORED_DIRS = new Set(['.git', 'node_modules']);
/** inotify watches are a per-user kernel resource; beyond this the tree is watched partially. */
const MAX_WATCHED_DIRS = 8192;
const SOCKET = process.env.TETHER_HOST_SOCKET;
/** With no server connected for this long the host exits (the server names the value). */
const ORPHAN_EXIT_MS = Number(process.env.TETHER_HOST_ORPHAN_EXIT_MS) || 30 * 60_000;
/** Our own variables, and the thread pool size the server gave this host, stay out of the shells' environment. */
const PTY_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TETHER_HOST_') && k !== 'UV_THREADPOOL_SIZE'));

class OpError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const ERRNO_CODES = {
  ENOENT: ['NOT_FOUND', 'No such file or directory'],
  EEXIST: ['ALREADY_EXISTS', 'Already exists'],
  ENOTEMPTY: ['ALREADY_EXISTS', 'Already exists'],
  ENOTDIR: ['NOT_A_DIRECTORY', 'Not a directory'],
  EISDIR: ['IS_A_DIRECTORY', 'Is a directory'],
  // O_NOFOLLOW met a symlink where none may be followed.
  ELOOP: ['OUTSIDE_WORKSPACE', 'Refusing to follow a symbolic link'],
  EACCES: ['PERMISSION_DENIED', 'Permission denied'],
  EPERM: ['PERMISSION_DENIED', 'Permission denied'],
  ENOSPC: ['NO_SPACE', (rel) => `No space left for ${rel}: this workspace's disk quota is used up. Delete files in the workspace to free space.`],
  EDQUOT: ['NO_SPACE', (rel) => `No space left for ${rel}: this workspace's disk quota is used up. Delete files in the workspace to free space.`],
  EFBIG: ['TOO_LARGE', 'File too large'],
};

function toOpError(e, rel) {
  if (e instanceof OpError) return e;
  const known = ERRNO_CODES[e && e.code];
  if (known) return new OpError(known[0], typeof known[1] === 'function' ? known[1](rel) : `${known[1]}: ${rel}`);
  return new OpError('INTERNAL', `${e && e.message ? e.message : String(e)} (${rel})`);
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const isInside = (abs) => abs === ROOT || abs.startsWith(ROOT + path.sep);
const outside = (rel) => new OpError('OUTSIDE_WORKSPACE', `Path leads outside the workspace: ${rel}`);

function entryType(s) {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'directory';
  return s.isFile() ? 'file' : 'other';
}

function isBinary(buf) {
  if (buf.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return false;
  } catch {
    return true;
  }
}

/**
 * The real absolute path of `rel` (already syntax-checked by the server), resolving symlinks by
 * hand so that one pointing outside the workspace is refused by what it says, not by whether its
 * target happens to be visible in the sandbox. A missing component ends the walk: the rest is
 * appended as is. `followLast` false leaves the final component alone (delete, rename, stat).
 */
async function resolve(rel, followLast) {
  const pending = rel.split('/').filter((p) => p !== '' && p !== '.');
  let current = ROOT;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift();
    if (part === '..') {
      current = path.dirname(current);
      if (!isInside(current)) throw outside(rel);
      continue;
    }
    const next = path.join(current, part);
    if (pending.length === 0 && !followLast) return next;
    const st = await fs.lstat(next).catch(() => null);
    if (!st) {
      // A link's target may still climb out from here ("missing/../../..").
      const rest = path.join(next, ...pending);
      if (!isInside(rest)) throw outside(rel);
      return rest;
    }
    if (!st.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) throw new OpError('OUTSIDE_WORKSPACE', `Too many symbolic links: ${rel}`);
    const target = await fs.readlink(next).catch((e) => {
      // Swapped back to a directory since the lstat: look at this component again.
      if (e.code === 'EINVAL') return null;
      throw e;
    });
    if (target === null) {
      pending.unshift(part);
      continue;
    }
    if (path.isAbsolute(target)) {
      if (!isInside(path.normalize(target))) throw outside(rel);
      current = ROOT;
      pending.unshift(...path.relative(ROOT, path.normalize(target)).split('/').filter(Boolean));
    } else {
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
    }
  }
  return current;
}

/** What a descriptor really points at, checked after open (unconfined mode relies on this). */
async function assertFdInside(fd, rel) {
  if (!isInside(await fs.readlink(`/proc/self/fd/${fd}`))) throw outside(rel);
}

async function entry(rel, abs) {
  const s = await fs.lstat(abs);
  return { name: path.basename(rel), path: rel, type: entryType(s), size: s.size, mtimeMs: s.mtimeMs };
}

const byDirThenName = (a, b) =>
  (a.type === 'directory') !== (b.type === 'directory') ? (a.type === 'directory' ? -1 : 1) : a.name.localeCompare(b.name);

async function list({ path: rel }) {
  const abs = await resolve(rel, true);
  const names = await fs.readdir(abs);
  const entries = await Promise.all(names.map((n) => entry(rel ? `${rel}/${n}` : n, path.join(abs, n)).catch(() => null)));
  return entries.filter((e) => e !== null).sort(byDirThenName);
}

async function stat({ path: rel }) {
  return entry(rel, await resolve(rel, false));
}

/** Opens a regular file for reading, checked to be inside the workspace; `use` gets its handle and stat. */
async function withRegularFile(rel, use) {
  // O_NONBLOCK: a FIFO planted in the workspace must not hang the host.
  const handle = await fs.open(await resolve(rel, true), C.O_RDONLY | C.O_NONBLOCK | C.O_NOFOLLOW);
  try {
    await assertFdInside(handle.fd, rel);
    const st = await handle.stat();
    if (st.isDirectory()) throw new OpError('IS_A_DIRECTORY', `Is a directory: ${rel}`);
    if (!st.isFile()) throw new OpError('INVALID_PATH', `Not a regular file: ${rel}`);
    return await use(handle, st);
  } finally {
    await handle.close();
  }
}

async function read({ path: rel, maxBytes }) {
  return withRegularFile(rel, async (handle, st) => {
    if (st.size > maxBytes) return { kind: 'too-large', path: rel, size: st.size, mtimeMs: st.mtimeMs, hash: null, readOnly: true };
    const buf = await handle.readFile();
    const hash = sha256(buf);
    if (isBinary(buf)) return { kind: 'binary', path: rel, size: buf.length, mtimeMs: st.mtimeMs, hash, readOnly: true };
    return { kind: 'text', path: rel, content: buf, size: buf.length, mtimeMs: st.mtimeMs, hash };
  });
}

/** Any file's bytes, text or not (downloads); larger than maxBytes is refused. */
async function readBytes({ path: rel, maxBytes }) {
  return withRegularFile(rel, async (handle, st) => {
    if (st.size > maxBytes) throw new OpError('TOO_LARGE', `${rel} is too large to download (${st.size} bytes; at most ${maxBytes})`);
    const buf = await handle.readFile();
    return { path: rel, size: buf.length, mtimeMs: st.mtimeMs, content: buf };
  });
}

async function write({ path: rel, content: data, expected, mustCreate }) {
  if (rel === '') throw new OpError('IS_A_DIRECTORY', 'Cannot write the workspace root');
  const abs = await resolve(rel, true);
  const base = C.O_WRONLY | C.O_NOFOLLOW | C.O_NONBLOCK;
  let handle;
  let created = false;
  try {
    handle = await fs.open(abs, base | C.O_CREAT | C.O_EXCL, 0o644);
    created = true;
  } catch (e) {
    if (e.code !== 'EEXIST' || mustCreate) throw e;
    handle = await fs.open(abs, base);
  }
  try {
    try {
      await assertFdInside(handle.fd, rel);
    } catch (e) {
      if (created) await fs.unlink(await fs.readlink(`/proc/self/fd/${handle.fd}`)).catch(() => {});
      throw e;
    }
    const st = await handle.stat();
    if (!st.isFile()) throw new OpError('IS_A_DIRECTORY', `Not a regular file: ${rel}`);
    if (expected && (expected.mtimeMs !== undefined || expected.hash !== undefined)) {
      if (created) {
        // Made only by this open: a save based on a file since deleted must not leave an empty one behind.
        await fs.unlink(await fs.readlink(`/proc/self/fd/${handle.fd}`)).catch(() => {});
        throw new OpError('CONFLICT', `File was deleted on disk: ${rel}`);
      }
      const mtimeChanged = expected.mtimeMs !== undefined && expected.mtimeMs !== st.mtimeMs;
      // Reading back only to compare hashes: an mtime match alone is trusted.
      const hashChanged = expected.hash !== undefined && (mtimeChanged || expected.mtimeMs === undefined)
        && expected.hash !== sha256(await fs.readFile(`/proc/self/fd/${handle.fd}`));
      if (expected.hash !== undefined ? hashChanged : mtimeChanged) {
        throw new OpError('CONFLICT', `File changed on disk since it was read: ${rel}`);
      }
    }
    await handle.truncate(0);
    await handle.write(data, 0, data.length, 0);
    const after = await handle.stat();
    return { path: rel, size: after.size, mtimeMs: after.mtimeMs, hash: sha256(data) };
  } finally {
    await handle.close();
  }
}

async function mkdir({ path: rel }) {
  if (rel === '') throw new OpError('ALREADY_EXISTS', 'The workspace root exists');
  const abs = await resolve(rel, false);
  await fs.mkdir(abs, { mode: 0o755 });
  return entry(rel, abs);
}

async function rename({ from, to }) {
  if (from === '' || to === '') throw new OpError('INVALID_PATH', 'Cannot rename the workspace root');
  if (to === from || to.startsWith(`${from}/`)) throw new OpError('INVALID_PATH', `Cannot move a directory into itself: ${to}`);
  const fromAbs = await resolve(from, false);
  const toAbs = await resolve(to, false);
  await fs.lstat(fromAbs).catch((e) => { throw toOpError(e, from); });
  // rename(2) silently replaces; the UI expects "already exists" instead.
  if (await fs.lstat(toAbs).then(() => true, () => false)) throw new OpError('ALREADY_EXISTS', `Already exists: ${to}`);
  await fs.rename(fromAbs, toAbs).catch((e) => { throw toOpError(e, to); });
  return null;
}

async function remove({ path: rel }) {
  if (rel === '') throw new OpError('INVALID_PATH', 'Cannot delete the workspace root');
  const abs = await resolve(rel, false);
  await fs.lstat(abs);
  // fs.rm removes symlinks themselves and never follows them, also inside directories.
  await fs.rm(abs, { recursive: true, force: false });
  return null;
}

// ---- Watching: one inotify watch per directory, never through symlinks, IGNORED_DIRS shallow.

const watches = new Map();

/** The server picks the stream id, so it can route events that arrive before this answer. */
function startWatch({ stream, debounceMs }) {
  if (watches.has(stream)) throw new OpError('INTERNAL', `Stream ${stream} is already open`);
  const watchers = new Map();
  /** Relative paths seen so far, so a change can be told apart from a creation. */
  const known = new Set();
  const dirty = new Set();
  let timer = null;
  let closed = false;
  let warned = false;
  const ignoredInside = (rel) => rel.split('/').slice(0, -1).some((p) => IGNORED_DIRS.has(p));
  const abs = (rel) => path.join(ROOT, rel);

  function schedule(rel) {
    if (closed || ignoredInside(rel)) return;
    dirty.add(rel);
    timer ??= setTimeout(() => void flush().catch((e) => log(`watch flush failed: ${e.message}`)), debounceMs);
  }

  function watchDir(rel) {
    if (watchers.has(rel) || closed) return;
    if (watchers.size >= MAX_WATCHED_DIRS) {
      if (!warned) send({ t: 'ev', stream, data: { kind: 'partial', max: MAX_WATCHED_DIRS } });
      warned = true;
      return;
    }
    try {
      const w = watch(abs(rel), { persistent: false }, (_event, name) => {
        if (name) schedule(rel ? `${rel}/${name}` : String(name));
      });
      w.on('error', () => unwatch(rel));
      watchers.set(rel, w);
    } catch {
      // Gone or unreadable by now: nothing to watch.
    }
  }

  function unwatch(rel) {
    for (const [dir, w] of watchers) {
      if (dir === rel || dir.startsWith(`${rel}/`)) {
        w.close();
        watchers.delete(dir);
      }
    }
  }

  async function walk(rel, found) {
    // A directory swapped for a symlink since it was seen is not followed.
    const st = await fs.lstat(abs(rel)).catch(() => null);
    if (!st || !st.isDirectory()) return;
    watchDir(rel);
    const entries = await fs.readdir(abs(rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (known.has(child)) continue;
      known.add(child);
      found.push(child);
      if (e.isDirectory() && !IGNORED_DIRS.has(e.name)) await walk(child, found);
    }
  }

  async function flush() {
    timer = null;
    const paths = [...dirty].sort();
    dirty.clear();
    const events = [];
    for (const rel of paths) {
      const st = await fs.lstat(abs(rel)).catch(() => null);
      if (!st) {
        if (!known.has(rel)) continue;
        for (const k of known) if (k === rel || k.startsWith(`${rel}/`)) known.delete(k);
        unwatch(rel);
        events.push({ path: rel, change: 'deleted', type: null });
        continue;
      }
      if (known.has(rel)) {
        events.push({ path: rel, change: 'changed', type: entryType(st) });
        continue;
      }
      known.add(rel);
      events.push({ path: rel, change: 'created', type: entryType(st) });
      if (st.isDirectory() && !IGNORED_DIRS.has(path.basename(rel))) {
        // Files may have landed in the new directory before its watch existed.
        const found = [];
        await walk(rel, found);
        for (const f of found) {
          const s = await fs.lstat(abs(f)).catch(() => null);
          if (s) events.push({ path: f, change: 'created', type: entryType(s) });
        }
      }
    }
    if (events.length > 0 && !closed) send({ t: 'ev', stream, data: { kind: 'changes', events } });
  }

  watches.set(stream, () => {
    closed = true;
    if (timer) clearTimeout(timer);
    for (const w of watchers.values()) w.close();
    watchers.clear();
  });
  return walk('', []).then(() => null);
}

function stopWatch({ stream }) {
  watches.get(stream)?.();
  watches.delete(stream);
  return null;
}

/** Stream ids belong to one server connection: when it goes, so do its watches. */
function stopAllWatches() {
  for (const stop of watches.values()) stop();
  watches.clear();
}

// ---- Terminals: each pty, its ring buffer and its flow control live here, not in the server.
//
// Flow control as VS Code's pty host does it (the server passes the watermarks): characters sent
// to the server and not yet acknowledged are counted; above the high watermark the pty is paused
// (the program blocks on write), below the low one it resumes. The server acknowledges as its
// browsers render. With no server connected nothing is counted: output only fills the ring
// buffer, which drops its oldest bytes.

const ptys = new Map();

async function openPty({ id, command, cwd, env, cols, rows, scrollbackBytes, highWatermark, lowWatermark }) {
  if (ptys.has(id)) throw new OpError('ALREADY_EXISTS', `Terminal ${id} already exists`);
  const dir = await resolve(cwd ?? '', true);
  if (!(await fs.stat(dir)).isDirectory()) throw new OpError('NOT_A_DIRECTORY', `Not a directory: ${cwd}`);
  const p = nodePty.spawn(command[0], command.slice(1), { name: env.TERM ?? 'xterm-256color', cols, rows, cwd: dir, env: { ...PTY_ENV, ...env } });
  const t = {
    id, p, cols, rows, createdAt: new Date().toISOString(), buffer: new RingBuffer(scrollbackBytes),
    exit: null, unacked: 0, paused: false, highWatermark, lowWatermark,
  };
  ptys.set(id, t);
  p.onData((data) => {
    const start = t.buffer.end;
    const bytes = Buffer.from(data, 'utf8');
    const end = t.buffer.append(bytes);
    if (!conn) return;
    t.unacked += data.length;
    send({ t: 'pty', id, kind: 'data', start, end }, bytes);
    updateFlow(t);
  });
  p.onExit(({ exitCode, signal }) => {
    t.exit = { exitCode, ...(signal ? { signal } : {}) };
    if (t.paused) p.resume();
    send({ t: 'pty', id, kind: 'exit', ...t.exit });
  });
  return ptyInfo(t);
}

function ptyInfo(t) {
  return { id: t.id, cols: t.cols, rows: t.rows, createdAt: t.createdAt, start: t.buffer.start, end: t.buffer.end, exit: t.exit };
}

function updateFlow(t) {
  if (t.exit) return;
  if (!t.paused && t.unacked > t.highWatermark) {
    t.paused = true;
    t.p.pause();
  } else if (t.paused && t.unacked < t.lowWatermark) {
    t.paused = false;
    t.p.resume();
  }
}

function getPty(id) {
  const t = ptys.get(id);
  if (!t) throw new OpError('NOT_FOUND', `No terminal ${id}`);
  return t;
}

/** `from` null: everything still buffered. */
function replayPty({ id, from }) {
  const t = getPty(id);
  const slice = t.buffer.since(from ?? t.buffer.start);
  return { start: slice.start, end: slice.end, missed: slice.missed, data: slice.data };
}

// Writes after the pty ended are dropped: a closed pty's descriptor answers EBADF.
function writePty({ id, data }) {
  const t = getPty(id);
  if (!t.exit) t.p.write(data);
  return null;
}

function resizePty({ id, cols, rows }) {
  const t = getPty(id);
  if (t.exit) return null;
  t.cols = cols;
  t.rows = rows;
  t.p.resize(cols, rows);
  return null;
}

function ackPty({ id, chars }) {
  const t = ptys.get(id);
  if (!t) return null;
  t.unacked = Math.max(0, t.unacked - chars);
  updateFlow(t);
  return null;
}

function closePty({ id }) {
  const t = ptys.get(id);
  if (!t) return null;
  ptys.delete(id);
  if (!t.exit) {
    try {
      // The whole process group: the shell and whatever it started in the foreground.
      process.kill(-t.p.pid, 'SIGKILL');
    } catch {
      t.p.kill('SIGKILL');
    }
  }
  return null;
}

/** A server left: nothing is in flight any more, so every paused pty runs again. */
function forgetInFlight() {
  for (const t of ptys.values()) {
    t.unacked = 0;
    updateFlow(t);
  }
}

/** `force` false: only when nothing here would be lost (no terminal, no watch). */
function exitHost({ force }) {
  if (!force && (ptys.size > 0 || watches.size > 0)) return false;
  // After the answer is written.
  setTimeout(() => process.exit(0), 0);
  return true;
}

const OPS = {
  ping: () => null, list, stat, read, readBytes, write, mkdir, rename, delete: remove,
  'watch.start': startWatch, 'watch.stop': stopWatch,
  'pty.open': openPty, 'pty.list': () => [...ptys.values()].map(ptyInfo), 'pty.replay': replayPty,
  'pty.write': writePty, 'pty.resize': resizePty, 'pty.ack': ackPty, 'pty.close': closePty,
  exit: exitHost,
};

// ---- Framing.

/** Header: JSON length, payload length. */
const HEADER_BYTES = 8;

/** The server connection, or null while no server is attached. */
let conn = null;

function send(message, payload = Buffer.alloc(0)) {
  if (!conn) return;
  const value = message.value;
  const bin = value && typeof value === 'object' ? Object.keys(value).find((k) => Buffer.isBuffer(value[k])) : undefined;
  if (bin) {
    payload = value[bin];
    message = { ...message, value: { ...value, [bin]: undefined }, bin };
  }
  let json = Buffer.from(JSON.stringify(message), 'utf8');
  if (json.length + payload.length > MAX_FRAME_BYTES && message.t === 'res') {
    // The server would drop us for an oversized frame; say what happened instead.
    const error = { code: 'TOO_LARGE', message: `The answer is too large to send (${json.length + payload.length} bytes; limit ${MAX_FRAME_BYTES})` };
    json = Buffer.from(JSON.stringify({ t: 'res', id: message.id, ok: false, error }), 'utf8');
    payload = Buffer.alloc(0);
  }
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32BE(json.length, 0);
  head.writeUInt32BE(payload.length, 4);
  conn.write(Buffer.concat([head, json, payload]));
}

function log(text) {
  process.stderr.write(`${text}\n`);
}

async function handle(message, payload) {
  const { id, op, bin } = message;
  const args = { ...message.args };
  if (bin) args[bin] = payload;
  const run = Object.hasOwn(OPS, op) ? OPS[op] : null;
  if (message.t === 'cast') {
    // No answer wanted (keystrokes, acks, resizes): a failure is only worth a line in the log.
    try {
      if (!run) throw new Error(`Unknown host operation: ${op}`);
      await run(args);
    } catch (e) {
      log(`${op} failed: ${e && e.message}`);
    }
    return;
  }
  if (!run) return send({ t: 'res', id, ok: false, error: { code: 'INTERNAL', message: `Unknown host operation: ${op}` } });
  try {
    send({ t: 'res', id, ok: true, value: await run(args) });
  } catch (e) {
    const err = toOpError(e, args.path ?? args.from ?? '');
    send({ t: 'res', id, ok: false, error: { code: err.code, message: err.message } });
  }
}

/**
 * Splits one connection's bytes into frames (protocol.ts's FrameDecoder does the same on the
 * server side; this program runs alone and can import nothing of the server's). Chunks are kept
 * as they come and joined once per frame.
 */
function frameReader(onFrame, onError) {
  let chunks = [];
  let size = 0;
  const join = () => {
    if (chunks.length > 1) chunks = [Buffer.concat(chunks, size)];
    return chunks[0];
  };
  return (chunk) => {
    chunks.push(chunk);
    size += chunk.length;
    while (size >= HEADER_BYTES) {
      const head = chunks[0].length >= HEADER_BYTES ? chunks[0] : join();
      const jsonBytes = head.readUInt32BE(0);
      const body = jsonBytes + head.readUInt32BE(4);
      if (body > MAX_FRAME_BYTES) return onError(`frame of ${body} bytes exceeds ${MAX_FRAME_BYTES}`);
      const need = HEADER_BYTES + body;
      if (size < need) return;
      const all = join();
      const json = all.subarray(HEADER_BYTES, HEADER_BYTES + jsonBytes);
      const payload = all.subarray(HEADER_BYTES + jsonBytes, need);
      chunks = all.length > need ? [all.subarray(need)] : [];
      size -= need;
      let message;
      try {
        message = JSON.parse(json.toString('utf8'));
      } catch {
        return onError('malformed frame');
      }
      onFrame(message, payload);
    }
  };
}

let orphanTimer = null;
function armOrphanExit() {
  clearTimeout(orphanTimer);
  orphanTimer = setTimeout(() => {
    log(`no server for ${ORPHAN_EXIT_MS} ms; exiting`);
    process.exit(0);
  }, ORPHAN_EXIT_MS);
}

function isToken(given, token) {
  const a = Buffer.from(String(given ?? ''));
  return a.length === token.length && timingSafeEqual(a, token);
}

function serve(token) {
  const server = net.createServer((c) => {
    let authed = false;
    const read = frameReader((message, payload) => {
      if (authed) return void handle(message, payload);
      // The first frame proves the peer is the server: a shell of ours could connect too.
      if (message.t !== 'req' || message.op !== 'hello' || !isToken(message.args?.token, token)) return c.destroy();
      authed = true;
      conn?.destroy();
      stopAllWatches();
      forgetInFlight();
      conn = c;
      clearTimeout(orphanTimer);
      send({ t: 'res', id: message.id, ok: true, value: { pid: process.pid, ptys: ptys.size, network: process.env.TETHER_HOST_NETWORK === '1' } });
    }, (why) => {
      log(`${why}; dropping the connection`);
      c.destroy();
    });
    c.on('data', read);
    c.on('error', () => {});
    c.on('close', () => {
      if (conn !== c) return;
      conn = null;
      stopAllWatches();
      forgetInFlight();
      armOrphanExit();
    });
  });
  try {
    unlinkSync(SOCKET);
  } catch {
    // No socket left from an earlier host.
  }
  // Only the owner (the workspace uid; root passes anyway) may connect. The umask is for the
  // socket alone: files and directories the host makes later get the usual modes.
  const umask = process.umask(0o177);
  server.listen(SOCKET, () => {
    process.umask(umask);
    armOrphanExit();
  });
  server.on('error', (e) => {
    log(`cannot listen on ${SOCKET}: ${e.message}`);
    process.exit(2);
  });
}

// The server writes the connection token to our stdin and closes it; then we listen.
const tokenChunks = [];
process.stdin.on('data', (c) => tokenChunks.push(c));
process.stdin.on('end', () => {
  const token = Buffer.concat(tokenChunks).subarray(0, 64);
  if (token.length < 32) {
    log('no connection token on stdin; exiting');
    process.exit(2);
  }
  serve(token);
});
