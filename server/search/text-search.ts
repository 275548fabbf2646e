// Searching a workspace's files, for the agent's `search` tool and the IDE's search panel and
// quick open alike. Everything runs inside the workspace's sandbox: ripgrep (Debian's `rg`) as a
// sandboxed command where the sandbox has it, otherwise a JS walk over the sandboxed file service.
import type { ExecOptions, ExecResult } from '../workspace/provider.ts';
import { matchLinesBounded, RegexTimeoutError } from './bounded-regex.ts';

const SEARCH_TIMEOUT_MS = 30_000;
/** ripgrep's JSON is verbose; past this the output is cut and the answer says there is more. */
const MAX_RG_OUTPUT_BYTES = 8_000_000;
/** A matching line is shown up to this many characters. */
export const MAX_LINE_CHARS = 300;
/** The JS fallback skips files larger than this (ripgrep has its own binary detection). */
const FALLBACK_MAX_FILE_BYTES = 1_000_000;
const FALLBACK_SKIP_DIRS = new Set(['.git', 'node_modules', '.next', 'dist', 'build', '__pycache__', '.venv', 'target']);
/** Exit status of a shell that could not find the program. */
const COMMAND_NOT_FOUND = 127;

export interface SearchEntry { name: string; kind: 'file' | 'dir' | 'symlink' | 'other'; size: number }

/**
 * What searching needs of a workspace. Paths are relative to its root, '.' being the root; the
 * implementation refuses anything outside it. `readText` is null for binary or unreadable files.
 */
export interface SearchTarget {
  exec(command: string[], options: ExecOptions): Promise<ExecResult>;
  readText(path: string): Promise<string | null>;
  list(path: string): Promise<SearchEntry[]>;
}

export interface TextQuery {
  pattern: string;
  /** false: the pattern is literal text. */
  regex: boolean;
  caseSensitive: boolean;
  /** Directory or file, relative to the root ('.' for all). */
  path: string;
  glob?: string;
  maxResults: number;
  signal?: AbortSignal;
}

/** One matching line; `ranges` are [start, end) character offsets of the matches in `text`. */
export interface TextMatch { path: string; line: number; text: string; ranges: [number, number][] }

export type TextSearchResult =
  | { ok: true; engine: 'ripgrep' | 'js'; matches: TextMatch[]; more: boolean }
  | { ok: false; error: string };

export async function searchText(target: SearchTarget, q: TextQuery): Promise<TextSearchResult> {
  return (await ripgrep(target, q)) ?? jsSearch(target, q);
}

/** The JS equivalent of the query, for the fallback and for replacing. */
export function queryRegExp(q: Pick<TextQuery, 'pattern' | 'regex' | 'caseSensitive'>, global = false): RegExp | { error: string } {
  const source = q.regex ? q.pattern : q.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    return new RegExp(source, `${global ? 'g' : ''}${q.caseSensitive ? '' : 'i'}`);
  } catch (err) {
    return { error: `invalid regular expression: ${(err as Error).message}` };
  }
}

const notInstalled = (r: ExecResult) => r.exitCode === COMMAND_NOT_FOUND || /rg: (command )?not found|No such file or directory.*\brg\b/.test(r.stderr);
const relative = (p: string) => (p.startsWith('./') ? p.slice(2) : p);

/** Null when ripgrep is not installed: the caller falls back to the JS search. */
async function ripgrep(target: SearchTarget, q: TextQuery): Promise<TextSearchResult | null> {
  const argv = ['rg', '--json', '--max-columns', String(MAX_LINE_CHARS * 4), '--max-columns-preview'];
  if (!q.caseSensitive) argv.push('--ignore-case');
  if (!q.regex) argv.push('--fixed-strings');
  if (q.glob) argv.push('--glob', q.glob);
  argv.push('--regexp', q.pattern, '--', q.path);
  const r = await target.exec(argv, { timeoutMs: SEARCH_TIMEOUT_MS, maxOutputBytes: MAX_RG_OUTPUT_BYTES, signal: q.signal });
  if (notInstalled(r)) return null;
  if (r.timedOut) return { ok: false, error: `search timed out after ${SEARCH_TIMEOUT_MS / 1000} s; narrow the path or glob` };
  if (r.exitCode === 1) return { ok: true, engine: 'ripgrep', matches: [], more: false };
  if (r.exitCode !== 0) return { ok: false, error: `search failed: ${r.stderr.trim() || `exit ${r.exitCode}`}` };
  const matches: TextMatch[] = [];
  let more = r.truncated;
  for (const line of r.stdout.split('\n')) {
    const m = parseRgMatch(line);
    if (!m) continue;
    if (matches.length >= q.maxResults) { more = true; break; }
    matches.push(m);
  }
  return { ok: true, engine: 'ripgrep', matches, more };
}

interface RgText { text?: string; bytes?: string }
interface RgMatch { type: string; data: { path: RgText; lines: RgText; line_number: number; submatches: { start: number; end: number }[] } }

/** One `match` line of `rg --json`; null for other kinds, lines cut off by the output cap and non-UTF-8 text. */
export function parseRgMatch(jsonLine: string): TextMatch | null {
  if (!jsonLine.startsWith('{"type":"match"')) return null;
  let m: RgMatch;
  try {
    m = JSON.parse(jsonLine) as RgMatch;
  } catch {
    return null;
  }
  if (typeof m.data.path.text !== 'string' || typeof m.data.lines.text !== 'string') return null;
  const full = m.data.lines.text.replace(/\r?\n$/, '');
  const bytes = Buffer.from(full);
  // ripgrep counts bytes; the browser counts UTF-16 units.
  const chars = (byte: number) => bytes.subarray(0, byte).toString('utf8').length;
  const text = full.slice(0, MAX_LINE_CHARS);
  const ranges = m.data.submatches
    .map((s): [number, number] => [chars(s.start), Math.min(chars(s.end), text.length)])
    .filter(([a, b]) => a < b);
  return { path: relative(m.data.path.text), line: m.data.line_number, text, ranges };
}

async function jsSearch(target: SearchTarget, q: TextQuery): Promise<TextSearchResult> {
  const re = queryRegExp(q, true);
  if ('error' in re) return { ok: false, error: re.error };
  const globRe = q.glob ? globToRegExp(q.glob) : null;
  const matches: TextMatch[] = [];
  let more = false;
  const visitFile = async (file: string, size: number) => {
    if (size > FALLBACK_MAX_FILE_BYTES) return;
    if (globRe && !globRe.test(file) && !globRe.test(file.split('/').pop() ?? '')) return;
    const text = await target.readText(file).catch(() => null);
    if (text === null || text.includes('\0')) return;
    for (const { line, text: full, ranges } of await matchLinesBounded(text, re.source, re.flags)) {
      if (matches.length >= q.maxResults) { more = true; return; }
      const shown = full.slice(0, MAX_LINE_CHARS);
      matches.push({ path: file, line, text: shown, ranges: ranges.filter(([a]) => a < shown.length).map(([a, b]) => [a, Math.min(b, shown.length)]) });
    }
  };
  try {
    await walkFiles(target, q.path, visitFile, () => more || !!q.signal?.aborted);
  } catch (err) {
    if (err instanceof RegexTimeoutError) return { ok: false, error: err.message };
    throw err;
  }
  return { ok: true, engine: 'js', matches, more };
}

/** Calls `visit` for each file under `root` (or `root` itself when it is a file), skipping hidden and build directories. */
async function walkFiles(target: SearchTarget, root: string, visit: (file: string, size: number) => Promise<void>, stop: () => boolean) {
  const walk = async (dir: string): Promise<void> => {
    for (const e of await target.list(dir)) {
      if (stop()) return;
      if (e.name.startsWith('.')) continue;
      const p = dir === '.' ? e.name : `${dir}/${e.name}`;
      if (e.kind === 'dir' && !FALLBACK_SKIP_DIRS.has(e.name)) await walk(p);
      else if (e.kind === 'file') await visit(p, e.size);
    }
  };
  const entries = await target.list(root).then(() => true, () => false);
  if (entries) await walk(root);
  else await visit(root, 0);
}

export type FileListResult = { ok: true; engine: 'ripgrep' | 'js'; files: string[]; more: boolean } | { ok: false; error: string };

/** The workspace's files (ignored and hidden ones skipped), for quick open. */
export async function listFiles(target: SearchTarget, max: number, signal?: AbortSignal): Promise<FileListResult> {
  const r = await target.exec(['rg', '--files', '--', '.'], { timeoutMs: SEARCH_TIMEOUT_MS, maxOutputBytes: MAX_RG_OUTPUT_BYTES, signal });
  if (!notInstalled(r)) {
    if (r.timedOut) return { ok: false, error: `listing files timed out after ${SEARCH_TIMEOUT_MS / 1000} s` };
    // 1: no files at all.
    if (r.exitCode !== 0 && r.exitCode !== 1) return { ok: false, error: `listing files failed: ${r.stderr.trim() || `exit ${r.exitCode}`}` };
    const lines = r.stdout.split('\n').filter(Boolean);
    // A cut output ends in a partial name.
    if (r.truncated) lines.pop();
    const all = lines.map(relative).sort();
    return { ok: true, engine: 'ripgrep', files: all.slice(0, max), more: r.truncated || all.length > max };
  }
  const files: string[] = [];
  let more = false;
  await walkFiles(target, '.', async (file) => {
    if (files.length >= max) more = true;
    else files.push(file);
  }, () => more || !!signal?.aborted);
  return { ok: true, engine: 'js', files: files.sort(), more };
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; if (glob[i + 1] === '/') i++; }
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
