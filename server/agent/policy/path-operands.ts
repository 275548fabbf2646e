// Paths named as operands: outside the workspace is high for every program; for a program that
// may write, a sensitive path (CI config, hooks, .git, start-up files, lockfiles), a path computed
// at run time, or a glob that can match hidden files is high.
import { hasFlag, operands, type ProgramContext } from './judge.ts';
import { outsideWorkspace, sensitiveWrite } from './paths.ts';
import { high, type Finding } from './risk.ts';
import type { Word } from './shell-parse.ts';

/** Programs that only read and print. Their operands are still checked for paths outside. */
export const READERS = new Set([
  'ls', 'll', 'la', 'dir', 'cat', 'tac', 'head', 'tail', 'less', 'more', 'wc', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'fd', 'fdfind', 'tree',
  'pwd', 'echo', 'printf', 'true', 'false', 'test', '[', ':', 'which', 'whereis', 'type', 'file', 'stat', 'du', 'df', 'diff', 'cmp', 'comm',
  'uniq', 'cut', 'tr', 'nl', 'fold', 'fmt', 'column', 'paste', 'join', 'rev', 'od', 'xxd', 'hexdump', 'strings', 'md5sum', 'sha1sum',
  'sha256sum', 'sha512sum', 'cksum', 'b2sum', 'basename', 'dirname', 'realpath', 'readlink', 'date', 'whoami', 'id', 'uname', 'hostname',
  'printenv', 'ps', 'free', 'uptime', 'seq', 'sleep', 'cd', 'pushd', 'popd', 'dirs', 'read', 'locale', 'nproc', 'jq', 'yq', 'cal', 'expr',
  'tput', 'clear', 'history', 'getconf', 'lsof', 'pgrep', 'shasum', 'numfmt', 'look', 'zcat', 'zgrep', 'bat', 'batcat', 'exa', 'eza', 'tokei', 'cloc',
  'wait', 'exit', 'return', 'shift', 'set', 'unset', 'local', 'declare', 'typeset', 'export', 'readonly', 'help', 'man', 'info',
  'break', 'continue', 'jobs', 'bg', 'fg', 'disown', 'umask', 'ulimit', 'times', 'caller', 'suspend', 'logout',
]);

/** Whose arguments are text, not paths (a "/" in them names nothing). */
const TEXT_ARGS = new Set(['echo', 'printf', 'expr', 'test', '[', 'let', 'jq', 'yq', 'seq', 'date', 'numfmt', 'alias', 'trap', 'export', 'declare', 'typeset', 'local', 'readonly', 'set']);

/** First operand is a pattern or program, not a path. */
const PATTERN_FIRST = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'sed', 'awk', 'gawk', 'mawk', 'nawk', 'zgrep', 'look']);

/** Writers whose operands name paths they create, change or delete. */
export const WRITERS = new Set(['cp', 'mv', 'install', 'ln', 'tee', 'touch', 'mkdir', 'truncate', 'patch', 'rsync', 'dd', 'unzip', 'tar', 'chmod', 'chown', 'chgrp', 'chattr', 'setfacl', 'sed', 'gsed', 'sort', 'split', 'csplit', 'gzip', 'gunzip', 'bzip2', 'xz', 'zip', 'mkfifo', 'mknod', 'cpio', 'editor', 'vi', 'vim', 'nvim', 'nano', 'emacs', 'code', 'rm', 'unlink', 'rmdir', 'shred']);

/**
 * Paths named anywhere: outside the workspace is high for every program; for programs that may
 * write, a sensitive path, a path computed at run time, or a glob that can match hidden files is high.
 */
export function pathFindings(name: string, args: Word[], ctx: ProgramContext): Finding[] {
  if (TEXT_ARGS.has(name) || name === 'git') return [];
  const ops = PATTERN_FIRST.has(name) && !args.some((a) => a.value === '-e' || a.value === '-f' || a.value === '--regexp') ? operands(args).slice(1) : args;
  const out: Finding[] = [];
  const reader = readsOnly(name, args);
  const isCd = name === 'cd' || name === 'pushd';
  for (const a of ops) {
    const v = a.value;
    if (v === null) {
      if (isCd) out.push(high(`${name} changes into ${a.source}, computed at run time, so later paths cannot be checked`));
      else if (WRITERS.has(name) && !reader) out.push(high(`${name} writes to ${a.source}, a path computed at run time`));
      continue;
    }
    if (isCd && v === '-') { out.push(high(`${name} - returns to a directory this line does not show`)); continue; }
    const raw = v.startsWith('-') ? v.slice(v.indexOf('=') + 1) : v;
    if (!raw || (v.startsWith('-') && !v.includes('='))) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) continue;
    const expanded = expandBraces(raw);
    if (expanded === null) { out.push(high(`${name} is given ${clip(raw)}, a brace expression too large to check`)); continue; }
    for (const p of expanded) {
      if (!looksLikePath(p)) continue;
      if (outsideWorkspace(p, ctx.cwd)) { out.push(high(`${name} names ${p}, outside the workspace`)); continue; }
      if (reader && !isCd) continue;
      if (a.glob && hiddenGlob(p)) { out.push(high(`${name} ${p} is a glob that can match hidden files such as .git or .bashrc`)); continue; }
      const s = sensitiveWrite(isCd ? `${p}/x` : p, ctx.cwd);
      if (s) out.push(high(isCd ? `the command changes into ${p}, where writes are far-reaching` : `${name} touches ${s.path}, ${s.reason}`));
    }
  }
  return out;
}

/** Whether this call of the program only reads its operands. */
export function readsOnly(name: string, args: Word[]): boolean {
  if (READERS.has(name)) return true;
  if (name === 'sed' || name === 'gsed') return !hasFlag(args, ['--in-place'], 'i');
  if (PATTERN_FIRST.has(name)) return true;
  if (name === 'find') return !args.some((a) => a.value !== null && /^-(delete|exec|execdir|ok|okdir|fprint0?|fprintf|fls)$/.test(a.value));
  if (name === 'sort') return !hasFlag(args, ['--output'], 'o');
  return false;
}

/** A glob segment starting with a dot matches hidden names (.git, .bashrc); `*` alone does not. */
function hiddenGlob(p: string): boolean {
  return p.split('/').some((seg) => seg.startsWith('.') && /[*?[]/.test(seg));
}

const MAX_BRACE_WORDS = 64;
/** More brace groups than this in one word are not expanded (the word is then high). */
const MAX_BRACE_GROUPS = 16;

/**
 * Brace expansion as bash does it for lists ({a,b}); ranges ({1..3}) are left as written.
 * Null when the word has too many groups or expands to too many words to check.
 */
export function expandBraces(word: string): string[] | null {
  if ((word.match(/\{/g)?.length ?? 0) > MAX_BRACE_GROUPS) return null;
  const out = expandBounded(word);
  return out.length > MAX_BRACE_WORDS ? null : out;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function expandBounded(word: string): string[] {
  let depth = 0; let open = -1; let comma = false;
  for (let i = 0; i < word.length; i++) {
    const ch = word[i];
    if (ch === '\\') { i++; continue; }
    if (ch === '{') { if (depth++ === 0) { open = i; comma = false; } continue; }
    if (ch === ',' && depth === 1) comma = true;
    if (ch === '}' && depth > 0 && --depth === 0) {
      if (!comma) { open = -1; continue; }
      const alternatives = splitTopLevel(word.slice(open + 1, i));
      const rest = expandBounded(word.slice(i + 1));
      const out: string[] = [];
      for (const alt of alternatives) for (const a of expandBounded(alt)) for (const r of rest) {
        out.push(word.slice(0, open) + a + r);
        // One more than the limit tells the caller it was cut.
        if (out.length > MAX_BRACE_WORDS) return out;
      }
      return out;
    }
  }
  return [word];
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0; let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') { i++; continue; }
    if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ',' && depth === 0) { parts.push(s.slice(start, i)); start = i + 1; }
  }
  parts.push(s.slice(start));
  return parts;
}

function looksLikePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('.') || p.includes('/') || /^[\w.-]+\.[\w]+$/.test(p) || /^\.?[\w-]+rc$/.test(p) || p === 'Jenkinsfile';
}
