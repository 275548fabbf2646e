// What individual programs do, by name and arguments, once the shell has been taken apart.
// Programs that run other commands (bash -c, xargs, find -exec …) do not decide here: they
// hand back what they would run, and the shell classifier judges that in turn.
import type { Word } from './shell-parse.ts';
import { gitRisk, longOptionIs } from './git-risk.ts';
import { outsideWorkspace, resolveInWorkspace, sensitiveWrite } from './paths.ts';
import { high, low, medium, type Finding } from './risk.ts';

/** What a program does: findings about itself, plus commands or scripts it runs. */
export interface ProgramEffect {
  findings: Finding[];
  /** argv it runs (find -exec, xargs); a null word is filled in at run time. */
  runs?: Word[][];
  /** Shell source it runs (bash -c, eval, alias bodies); null when computed at run time. */
  scripts?: { source: string | null; what: string }[];
}

export interface ProgramContext {
  cwd: string;
  stdin: 'pipe' | 'heredoc' | 'herestring' | 'file' | null;
  stdinText: string | null;
  /** Files written earlier in the same line (workspace-relative), with their content when known. */
  written?: ReadonlyMap<string, string | null>;
}

type Judge = (name: string, args: Word[], ctx: ProgramContext) => ProgramEffect;

const dyn = (s: string): Word => ({ value: null, glob: false, source: s });
const values = (args: Word[]) => args.map((a) => a.value);
const isFlag = (w: Word) => w.value !== null && w.value.startsWith('-') && w.value !== '-';
/** Operands: words that are not options (everything after `--` counts). */
function operands(args: Word[]): Word[] {
  const out: Word[] = [];
  let ended = false;
  for (const a of args) {
    if (!ended && a.value === '--') { ended = true; continue; }
    if (!ended && isFlag(a)) continue;
    out.push(a);
  }
  return out;
}
/** A long option (GNU tools accept any unambiguous prefix: --rec is --recursive) or a short one in a cluster (-rf). */
const hasFlag = (args: Word[], long: string[], short: string) =>
  args.some((a) => a.value !== null && (long.some((l) => longOptionIs(a.value!, l)) || (/^-[a-zA-Z]+$/.test(a.value) && [...short].some((c) => a.value!.includes(c)))));

const only = (f: Finding): ProgramEffect => ({ findings: [f] });

/** Programs that only read and print. Their operands are still checked for paths outside. */
const READERS = new Set([
  'ls', 'll', 'la', 'dir', 'cat', 'tac', 'head', 'tail', 'less', 'more', 'wc', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'fd', 'fdfind', 'tree',
  'pwd', 'echo', 'printf', 'true', 'false', 'test', '[', ':', 'which', 'whereis', 'type', 'file', 'stat', 'du', 'df', 'diff', 'cmp', 'comm',
  'uniq', 'cut', 'tr', 'nl', 'fold', 'fmt', 'column', 'paste', 'join', 'rev', 'od', 'xxd', 'hexdump', 'strings', 'md5sum', 'sha1sum',
  'sha256sum', 'sha512sum', 'cksum', 'b2sum', 'basename', 'dirname', 'realpath', 'readlink', 'date', 'whoami', 'id', 'uname', 'hostname',
  'printenv', 'ps', 'free', 'uptime', 'seq', 'sleep', 'cd', 'pushd', 'popd', 'dirs', 'read', 'locale', 'nproc', 'jq', 'yq', 'cal', 'expr',
  'tput', 'clear', 'history', 'getconf', 'lsof', 'pgrep', 'shasum', 'numfmt', 'look', 'zcat', 'zgrep', 'bat', 'batcat', 'exa', 'eza', 'tokei', 'cloc',
  'wait', 'exit', 'return', 'shift', 'set', 'unset', 'local', 'declare', 'typeset', 'export', 'readonly', 'help', 'man', 'info',
]);
/** Whose arguments are text, not paths (a "/" in them names nothing). */
const TEXT_ARGS = new Set(['echo', 'printf', 'expr', 'test', '[', 'let', 'jq', 'yq', 'seq', 'date', 'numfmt', 'alias', 'trap', 'export', 'declare', 'typeset', 'local', 'readonly', 'set']);
/** First operand is a pattern or program, not a path. */
const PATTERN_FIRST = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'sed', 'awk', 'gawk', 'mawk', 'nawk', 'zgrep', 'look']);

const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'fish', 'busybox', 'rbash', 'tcsh', 'csh']);
/** Interpreters: the options (and short-option letters, also inside clusters like -Ic) that take program text inline. */
const INTERPRETERS: Record<string, { options: string[]; letters: string }> = {
  python: { options: [], letters: 'c' }, python3: { options: [], letters: 'c' }, python2: { options: [], letters: 'c' }, pypy: { options: [], letters: 'c' }, pypy3: { options: [], letters: 'c' },
  node: { options: ['--eval', '--print', '--require', '--import', '--loader', '--experimental-loader'], letters: 'epr' }, nodejs: { options: ['--eval', '--print', '--require'], letters: 'epr' },
  deno: { options: ['eval'], letters: '' }, perl: { options: [], letters: 'eE' }, ruby: { options: [], letters: 'e' }, php: { options: [], letters: 'rB' },
  lua: { options: [], letters: 'e' }, luajit: { options: [], letters: 'e' }, Rscript: { options: [], letters: 'e' }, R: { options: [], letters: 'e' },
  tclsh: { options: [], letters: '' }, expect: { options: [], letters: 'c' }, julia: { options: ['--eval', '--print'], letters: 'eE' }, irb: { options: [], letters: '' },
  osascript: { options: [], letters: 'e' }, pwsh: { options: ['-Command', '-EncodedCommand'], letters: 'c' }, powershell: { options: ['-Command', '-EncodedCommand'], letters: 'c' },
};
const PRIVILEGE = new Set(['sudo', 'doas', 'su', 'pkexec', 'chroot', 'runuser', 'setpriv', 'nsenter', 'unshare', 'capsh', 'setcap', 'bwrap', 'firejail']);
const SYSTEM = new Set([
  'shutdown', 'reboot', 'halt', 'poweroff', 'init', 'telinit', 'systemctl', 'service', 'mount', 'umount', 'fdisk', 'parted', 'sfdisk', 'wipefs',
  'mkswap', 'swapon', 'swapoff', 'iptables', 'ip6tables', 'nft', 'ufw', 'ip', 'ifconfig', 'route', 'useradd', 'userdel', 'usermod', 'groupadd', 'groupdel', 'passwd',
  'chpasswd', 'visudo', 'crontab', 'at', 'batch', 'modprobe', 'insmod', 'rmmod', 'sysctl', 'losetup', 'cryptsetup', 'lvremove', 'vgremove', 'pvremove',
  'apt', 'apt-get', 'dpkg', 'yum', 'dnf', 'apk', 'pacman', 'zypper', 'snap', 'brew', 'killall5',
]);
const REMOTE = new Set(['ssh', 'scp', 'sftp', 'ftp', 'lftp', 'telnet', 'nc', 'ncat', 'netcat', 'socat', 'rsh', 'rlogin', 'mosh', 'sshpass', 'smbclient']);
const CLOUD = new Set(['aws', 'gcloud', 'gsutil', 'az', 'doctl', 'flyctl', 'fly', 'heroku', 'vercel', 'netlify', 'firebase', 'wrangler', 'railway', 'pulumi', 'serverless', 'sls', 'eb', 'cdk', 'ansible', 'ansible-playbook', 'vault']);
const DB_CLIENTS = new Set(['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlcmd', 'mongo', 'mongosh', 'redis-cli', 'cqlsh', 'clickhouse-client', 'cockroach', 'duckdb', 'pg_restore', 'dropdb', 'dropuser']);
const DESTRUCTIVE_SQL = /\b(drop\s+(table|database|schema|index|view|user|role|owned|extension|function|trigger|sequence|type|column|materialized|collection)|truncate|dropdatabase|flushall|flushdb|\.drop\s*\()|\bdelete\s+from\b(?![^;]*\bwhere\b)|\balter\s+table\b[^;]*\bdrop\b/i;
/** Framework tasks that wipe a database. */
const DB_WIPE_TASKS = /^(db:(drop|reset|purge|schema:load|setup|migrate:reset|truncate_all)|migrate:(reset|fresh|refresh|rollback)|schema:drop|flush|reset_db|sqlflush|dbshell|db:seed:undo:all|drop)$/;
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun', 'cnpm']);
const PUBLISH_SUBCOMMANDS = new Set(['publish', 'unpublish', 'deprecate', 'dist-tag', 'owner', 'access', 'adduser', 'login', 'logout', 'token', 'team', 'org', 'star', 'unstar', 'hook', 'pack-publish']);
const READ_ONLY_PM = new Set(['ls', 'list', 'll', 'la', 'view', 'info', 'show', 'outdated', 'why', 'explain', 'help', 'root', 'bin', 'prefix', 'search', 'fund', 'doctor', 'ping', 'whoami', 'query', '--version', '-v', 'version', 'config']);
const DOCKER_READS = new Set(['ps', 'images', 'inspect', 'logs', 'version', 'info', 'history', 'top', 'stats', 'port', 'diff', 'search', 'events', 'ls', 'config', 'context']);
const KUBECTL_READS = new Set(['get', 'describe', 'logs', 'explain', 'version', 'api-resources', 'api-versions', 'cluster-info', 'top', 'diff', 'auth', 'config', 'events', 'wait']);
const HELM_READS = new Set(['list', 'ls', 'status', 'get', 'show', 'inspect', 'template', 'version', 'search', 'lint', 'history', 'env', 'verify']);
const TERRAFORM_READS = new Set(['plan', 'validate', 'fmt', 'show', 'output', 'version', 'providers', 'graph', 'init', 'get', 'console', 'test', 'metadata', 'modules']);
const GH_READS = new Set(['status', 'list', 'view', 'diff', 'checks', 'search', 'browse', 'help', 'version', 'completion']);
/** Writers whose operands name paths they create, change or delete. */
const WRITERS = new Set(['cp', 'mv', 'install', 'ln', 'tee', 'touch', 'mkdir', 'truncate', 'patch', 'rsync', 'dd', 'unzip', 'tar', 'chmod', 'chown', 'chgrp', 'chattr', 'setfacl', 'sed', 'gsed', 'sort', 'split', 'csplit', 'gzip', 'gunzip', 'bzip2', 'xz', 'zip', 'mkfifo', 'mknod', 'cpio', 'editor', 'vi', 'vim', 'nvim', 'nano', 'emacs', 'code', 'rm', 'unlink', 'rmdir', 'shred']);

const LOCAL_URL = /^(https?:\/\/)?(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)([:/]|$)/;

export function judgeProgram(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const runsOther = RUNS_OTHER_PROGRAM[name];
  const via = runsOther ? args.find((a) => a.value === null || runsOther.test(a.value)) : undefined;
  if (via) return { findings: [high(`${name} ${via.value ?? via.source} makes it run another program`), ...pathFindings(name, args, ctx)] };
  const special = SPECIAL[name];
  const effect = special ? special(name, args, ctx) : generic(name, args);
  return { ...effect, findings: [...effect.findings, ...pathFindings(name, args, ctx)] };
}

/**
 * Paths named anywhere: outside the workspace is high for every program; for programs that may
 * write, a sensitive path, a path computed at run time, or a glob that can match hidden files is high.
 */
function pathFindings(name: string, args: Word[], ctx: ProgramContext): Finding[] {
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
    const raw = v.startsWith('-') ? v.slice(v.indexOf('=') + 1) : v;
    if (!raw || (v.startsWith('-') && !v.includes('='))) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) continue;
    for (const p of expandBraces(raw)) {
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
function readsOnly(name: string, args: Word[]): boolean {
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

/** Brace expansion as bash does it for lists ({a,b}); ranges ({1..3}) are left as written. */
export function expandBraces(word: string): string[] {
  let depth = 0; let open = -1; let comma = false;
  for (let i = 0; i < word.length; i++) {
    const ch = word[i];
    if (ch === '\\') { i++; continue; }
    if (ch === '{') { if (depth++ === 0) { open = i; comma = false; } continue; }
    if (ch === ',' && depth === 1) comma = true;
    if (ch === '}' && depth > 0 && --depth === 0) {
      if (!comma) { open = -1; continue; }
      const alternatives = splitTopLevel(word.slice(open + 1, i));
      const rest = expandBraces(word.slice(i + 1));
      const out: string[] = [];
      for (const alt of alternatives) for (const a of expandBraces(alt)) for (const r of rest) {
        out.push(word.slice(0, open) + a + r);
        if (out.length >= MAX_BRACE_WORDS) return out;
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

function generic(name: string, args: Word[]): ProgramEffect {
  if (READERS.has(name)) return only(low(`${name} only reads`));
  if (PRIVILEGE.has(name)) return only(high(`${name} runs a command with other privileges or outside the sandbox's view`));
  if (SYSTEM.has(name)) return only(high(`${name} changes the machine, not the workspace`));
  if (REMOTE.has(name)) return only(high(`${name} connects to another machine`));
  if (CLOUD.has(name)) return only(high(`${name} acts on cloud resources with the user's credentials`));
  if (DB_CLIENTS.has(name)) return only(medium(`${name} talks to a database`));
  if (args.some((a) => a.value !== null && DB_WIPE_TASKS.test(a.value))) return only(high(`${name} ${args.find((a) => a.value && DB_WIPE_TASKS.test(a.value))!.value} wipes database data or schema`));
  if (name.startsWith('mkfs')) return only(high('mkfs formats a file system'));
  if (WRITERS.has(name)) return only(medium(`${name} changes files in the workspace`));
  return only(medium(`runs ${name}`));
}

/** Shell options that take a value as the next word. */
const SHELL_OPTION_VALUES = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

function shell(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  if (name === 'busybox') {
    if (!args[0]) return only(low('busybox lists its applets'));
    return { findings: [], runs: [args] };
  }
  // bash [options] [-c] [script-or-command-string] [args]: the first operand after the options
  // is the command string with -c (wherever -c stands), the script file without it.
  let withC = false; let fromStdin = false; let i = 0;
  for (; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) return only(high(`${name} is given an option computed at run time`));
    if (v === '--' || v === '-') { i++; break; }
    if (SHELL_OPTION_VALUES.has(v)) { i++; continue; }
    if (/^[-+][A-Za-z]+$/.test(v)) {
      if (v.startsWith('-') && v.includes('c')) withC = true;
      if (v.startsWith('-') && v.includes('s')) fromStdin = true;
      continue;
    }
    if (v.startsWith('--')) continue;
    break;
  }
  const operand = args[i];
  if (withC) return { findings: [medium(`${name} -c runs a script`)], scripts: [{ source: operand ? operand.value : '', what: `${name} -c` }] };
  if (operand && !fromStdin && args[i - 1]?.value !== '-') return runsScriptFile(name, operand, ctx);
  return runsStdin(name, 'commands', ctx, (text) => ({ findings: [medium(`${name} runs the here-document`)], scripts: [{ source: text, what: `${name} <<here-document` }] }));
}

/** A script named on the command line; /dev/stdin and the like are the input stream. */
function runsScriptFile(name: string, file: Word, ctx: ProgramContext): ProgramEffect {
  if (file.value === null) return only(high(`${name} runs ${file.source}, a script computed at run time (such as a download)`));
  if (/^\/(dev|proc)\//.test(file.value)) return runsStdin(name, 'commands', { ...ctx, stdin: ctx.stdin ?? 'pipe' }, null);
  const rel = resolveInWorkspace(file.value, ctx.cwd);
  if (rel !== null && ctx.written?.has(rel)) {
    const body = ctx.written.get(rel)!;
    if (!SHELLS.has(name) && name !== 'source' && name !== '.') return only(high(`${name} runs ${file.value}, written earlier in this command line, which the policy cannot check`));
    return { findings: [medium(`${name} runs ${file.value}, written earlier in this command line`)], scripts: [{ source: body, what: `${file.value} (written in this line)` }] };
  }
  return only(medium(`${name} runs the script ${file.value}`));
}

/** A program that runs code from its input: a here-document it can check, a pipe or file it cannot. */
function runsStdin(name: string, what: string, ctx: ProgramContext, hereDoc: ((text: string | null) => ProgramEffect) | null): ProgramEffect {
  if ((ctx.stdin === 'heredoc' || ctx.stdin === 'herestring') && hereDoc) return hereDoc(ctx.stdinText);
  if (ctx.stdin === 'heredoc' || ctx.stdin === 'herestring') return only(high(`${name} runs ${what} from a here-document, which the policy cannot check`));
  if (ctx.stdin === 'pipe') return only(high(`${name} runs ${what} read from a pipe or stream (such as a download), which cannot be checked`));
  if (ctx.stdin === 'file') return only(medium(`${name} runs ${what} from a file in the workspace`));
  return only(medium(`starts ${name}`));
}

function source(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const file = operands(args)[0];
  if (!file) return only(low(`${name} without a file does nothing`));
  return runsScriptFile(name, file, ctx);
}

function interpreter(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const inline = INTERPRETERS[name] ?? { options: [], letters: '' };
  const used = args.find((a) => a.value !== null && (inline.options.some((o) => a.value === o || longOptionIs(a.value!, o))
    || (/^-[A-Za-z]+$/.test(a.value) && [...inline.letters].some((l) => a.value!.includes(l)))));
  if (used) return only(high(`${name} ${used.value} runs inline code, which the policy cannot check`));
  const ops = operands(args);
  const m = args.findIndex((a) => a.value === '-m');
  if (m >= 0) {
    const mod = args[m + 1]?.value;
    if (mod === 'http.server' || mod === 'SimpleHTTPServer') return only(medium(`${name} -m ${mod} serves the workspace`));
    if (mod === 'twine' && args.some((a) => a.value === 'upload')) return only(high('twine upload publishes a package'));
    return only(medium(`${name} -m ${mod ?? '?'}`));
  }
  const script = ops[0];
  if (!script || script.value === '-') return runsStdin(name, 'a program', ctx, null);
  const rest = ops.slice(1).map((o) => o.value);
  if (script.value !== null && /manage\.py$/.test(script.value) && rest.some((r) => r !== null && DB_WIPE_TASKS.test(r))) return only(high('manage.py flush wipes the database'));
  return runsScriptFile(name, script, ctx);
}

function rm(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const recursive = hasFlag(args, ['--recursive'], 'rR');
  const force = hasFlag(args, ['--force'], 'f');
  const targets = operands(args);
  const out: Finding[] = [];
  for (const t of targets) {
    if (t.value === null) { out.push(high(`${name} deletes ${t.source}, a path computed at run time`)); continue; }
    if (t.glob) { out.push(high(`${name} deletes every file matching ${t.value}`)); continue; }
    const s = sensitiveWrite(t.value, ctx.cwd);
    if (s?.kind === 'git') { out.push(high(`deleting ${t.value} destroys the repository's history`)); continue; }
    if (s) { out.push(high(`${name} deletes ${t.value}, ${s.reason}`)); continue; }
    const rel = t.value.replace(/\/+$/, '');
    if (rel === '.' || rel === '' || rel === '/workspace' || rel === '..') out.push(high(`${name} ${t.value} deletes the whole workspace`));
  }
  if (name === 'shred' || name === 'srm' || name === 'wipe') out.push(high(`${name} destroys file contents beyond recovery`));
  if (recursive) out.push(high(`${name} -r deletes directories recursively`));
  if (!targets.length && !out.length) return only(low(`${name} with nothing to delete`));
  if (force && !out.length) return only(medium(`${name} -f deletes ${targets.map((t) => t.value).join(' ')}`));
  return { findings: out.length ? out : [medium(`deletes ${targets.map((t) => t.value).join(' ')}`)] };
}

function find(_name: string, args: Word[]): ProgramEffect {
  const out: Finding[] = [];
  const runs: Word[][] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === '-delete') out.push(high('find -delete deletes every match'));
    if (v === '-fprint' || v === '-fprintf' || v === '-fls' || v === '-fprint0') out.push(medium(`find ${v} writes a file`));
    if (v === '-exec' || v === '-execdir' || v === '-ok' || v === '-okdir') {
      const end = args.findIndex((a, j) => j > i && (a.value === ';' || a.value === '+'));
      // find puts each path where {} stands, also inside a word (sh -c 'echo {}').
      const cmd = args.slice(i + 1, end < 0 ? undefined : end).map((a) => (a.value?.includes('{}') ? dyn(a.source) : a));
      if (!cmd.length) out.push(high(`find ${v} without a command`));
      else runs.push(cmd);
      i = end < 0 ? args.length : end;
    }
  }
  if (!out.length && !runs.length) out.push(low('find only lists files'));
  return { findings: out, runs };
}

function xargs(_name: string, args: Word[]): ProgramEffect {
  const WITH_VALUE = new Set(['-d', '-E', '-e', '-I', '-L', '-l', '-n', '-P', '-s', '-a', '--delimiter', '--max-args', '--max-procs', '--arg-file', '--max-lines', '--eof', '--max-chars']);
  let replace: string | null = null;
  let i = 0;
  while (i < args.length && args[i]!.value !== null && args[i]!.value!.startsWith('-')) {
    const v = args[i]!.value!;
    if (v === '--') { i++; break; }
    if (v === '-I') replace = args[i + 1]?.value ?? null;
    else if (v.startsWith('-I')) replace = v.slice(2);
    else if (v === '-i' || v === '--replace') replace = '{}';
    else if (v.startsWith('-i') || v.startsWith('--replace=')) replace = v.slice(v.startsWith('-i') ? 2 : '--replace='.length);
    i += WITH_VALUE.has(v) ? 2 : 1;
  }
  const cmd = args.slice(i);
  if (!cmd.length) return only(low('xargs echoes its input'));
  if (cmd[0]!.value !== null && SHELLS.has(cmd[0]!.value!.split('/').pop()!)) return only(high('xargs feeds its input into a shell script, which cannot be checked'));
  // Its input replaces the replace-string wherever it stands, or is appended.
  const filled = replace ? cmd.map((a) => (a.value === null || a.value.includes(replace!) ? dyn(a.source) : a)) : [...cmd, dyn('(input)')];
  return { findings: [], runs: [filled] };
}

function evalBuiltin(_name: string, args: Word[]): ProgramEffect {
  const source = args.some((a) => a.value === null) ? null : args.map((a) => a.value).join(' ');
  return { findings: [medium('eval runs its arguments as a script')], scripts: [{ source, what: 'eval' }] };
}

function alias(_name: string, args: Word[]): ProgramEffect {
  const scripts = args.filter((a) => a.value === null || a.value.includes('=')).map((a) => ({ source: a.value === null ? null : a.value.slice(a.value.indexOf('=') + 1), what: 'alias' }));
  return { findings: [low('defines an alias (its body is judged as if it ran)')], scripts };
}

function trap(_name: string, args: Word[]): ProgramEffect {
  const body = operands(args)[0];
  if (!body) return only(low('lists traps'));
  return { findings: [low('sets a trap (its body is judged as if it ran)')], scripts: [{ source: body.value, what: 'trap' }] };
}

function watch(_name: string, args: Word[]): ProgramEffect {
  const WITH_VALUE = new Set(['-n', '--interval', '-d', '-q', '--equexit']);
  let i = 0;
  while (i < args.length && args[i]!.value?.startsWith('-')) i += WITH_VALUE.has(args[i]!.value!) ? 2 : 1;
  const rest = args.slice(i);
  const source = rest.some((a) => a.value === null) ? null : rest.map((a) => a.value).join(' ');
  return { findings: [medium('watch reruns a command')], scripts: [{ source, what: 'watch' }] };
}

/** Subcommands of npm, pnpm, yarn and bun; anything else given to pnpm, yarn or bun runs a script or binary of that name. */
const PM_SUBCOMMANDS = new Set([
  'install', 'i', 'ci', 'add', 'remove', 'rm', 'uninstall', 'un', 'up', 'update', 'upgrade', 'upgrade-interactive', 'run', 'run-script', 'test', 't', 'tst', 'start',
  'stop', 'restart', 'exec', 'dlx', 'x', 'create', 'init', 'link', 'unlink', 'outdated', 'list', 'ls', 'll', 'la', 'why', 'explain', 'info', 'view', 'show', 'audit',
  'config', 'cache', 'store', 'import', 'pack', 'version', 'global', 'workspace', 'workspaces', 'set', 'prune', 'dedupe', 'patch', 'patch-commit', 'rebuild', 'rb',
  'bin', 'root', 'prefix', 'help', 'licenses', 'fund', 'doctor', 'ping', 'whoami', 'search', 'query', 'pkg', 'set-script', 'completion', 'node', 'env', 'fetch',
  'plugin', 'constraints', 'dedupe', 'build', 'pm', 'outdated', 'licenses', 'setup', ...PUBLISH_SUBCOMMANDS,
]);
const PM_INLINE = ['-e', '--eval', '-p', '--print'];

function packageManager(name: string, args: Word[]): ProgramEffect {
  const ops = operands(args);
  const sub = ops[0]?.value;
  const all = values(args);
  if (name === 'bun' && args.some((a) => a.value !== null && PM_INLINE.some((o) => a.value === o || longOptionIs(a.value!, o)))) return only(high('bun -e runs inline code, which the policy cannot check'));
  if (sub === undefined) return only(all.length ? low(`${name} ${all.join(' ')}`) : medium(`runs ${name}`));
  if (sub === null) return only(high(`${name} is given a subcommand computed at run time`));
  // Publishing anywhere on the line (npm --tag beta publish): options with values hide the subcommand.
  const publish = ops.find((o) => o.value !== null && PUBLISH_SUBCOMMANDS.has(o.value));
  if (publish) return only(high(`${name} ${publish.value} publishes or changes a package on the registry`));
  if (hasFlag(args, ['--global', '--location=global'], 'g') && ['install', 'i', 'add', 'uninstall', 'remove', 'rm', 'link', 'update'].includes(sub)) return only(high(`${name} ${sub} -g changes packages outside the workspace`));
  if (sub === 'exec' || sub === 'dlx' || sub === 'x') {
    const dash = args.findIndex((a) => a.value === '--');
    const rest = name === 'npm' ? (dash >= 0 ? args.slice(dash + 1) : ops.slice(1)) : args.slice(args.findIndex((a) => a.value === sub) + 1).filter((a) => a.value !== '--');
    return rest.length ? { findings: [], runs: [rest] } : only(medium(`${name} ${sub}`));
  }
  if (sub === 'audit' && !all.includes('fix')) return only(low(`${name} audit only reports`));
  if (sub === 'version' && ops.length > 1) return only(medium(`${name} version bumps the version, commits and tags`));
  if (READ_ONLY_PM.has(sub) && !(sub === 'config' && all.some((a) => a === 'set' || a === 'delete' || a === 'edit'))) return only(low(`${name} ${sub} only reads`));
  if (sub === 'run' || sub === 'run-script') return only(medium(`runs the project's ${ops[1]?.value ?? ''} script`.replace('  ', ' ')));
  if (sub === 'test' || sub === 't' || sub === 'tst' || sub === 'start') return only(medium(`runs the project's ${sub === 'start' ? 'start' : 'test'} script`));
  if (name !== 'npm' && !PM_SUBCOMMANDS.has(sub)) return { findings: [medium(`${name} ${sub} runs the project's script or binary ${sub}`)], runs: [ops] };
  return only(medium(`${name} ${sub}`));
}

/** npx, bunx …: run the named package's binary, judged as that command. */
function packageRunner(_name: string, args: Word[]): ProgramEffect {
  const WITH_VALUE = new Set(['-p', '--package', '-c', '--call']);
  let i = 0;
  while (i < args.length && args[i]!.value?.startsWith('-')) {
    if (args[i]!.value === '-c' || args[i]!.value === '--call') return { findings: [medium('npx -c runs a script')], scripts: [{ source: args[i + 1]?.value ?? null, what: 'npx -c' }] };
    i += WITH_VALUE.has(args[i]!.value!) ? 2 : 1;
  }
  const rest = args.slice(i);
  if (!rest.length) return only(medium('npx without a command'));
  return { findings: [], runs: [rest] };
}

function prisma(_name: string, args: Word[]): ProgramEffect {
  const v = values(args);
  if (v.includes('migrate') && v.includes('reset')) return only(high('prisma migrate reset drops the database'));
  if (v.includes('db') && v.includes('push') && (v.includes('--force-reset') || v.includes('--accept-data-loss'))) return only(high('prisma db push --force-reset / --accept-data-loss destroys data'));
  if (v.includes('db') && v.includes('execute')) return only(high('prisma db execute runs raw SQL'));
  if (v.includes('migrate') && (v.includes('deploy') || v.includes('dev'))) return only(medium('prisma applies migrations'));
  return only(medium(`prisma ${v.join(' ')}`));
}

function dbClient(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  if (name === 'dropdb' || name === 'dropuser') return only(high(`${name} deletes a database or role`));
  const sql: (string | null)[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === '-c' || v === '--command' || v === '-e' || v === '--execute' || v === '--eval') sql.push(args[i + 1]?.value ?? null);
    else if (v !== null && /^--(command|execute|eval)=/.test(v)) sql.push(v.slice(v.indexOf('=') + 1));
  }
  if (name === 'sqlite3' || name === 'duckdb') sql.push(...operands(args).slice(1).map((o) => o.value));
  if (name === 'redis-cli') sql.push(operands(args).map((o) => o.value).join(' '));
  if (ctx.stdin === 'heredoc' || ctx.stdin === 'herestring') sql.push(ctx.stdinText);
  if (ctx.stdin === 'pipe' || ctx.stdin === 'file' || hasFlag(args, ['--file'], '') || args.some((a) => a.value === '-f')) return only(high(`${name} runs SQL from a file or pipe, which cannot be checked`));
  if (sql.some((s) => s === null)) return only(high(`${name} runs SQL computed at run time`));
  if (sql.some((s) => DESTRUCTIVE_SQL.test(s!))) return only(high(`${name} runs a statement that drops, truncates or deletes data`));
  return only(medium(`${name} talks to a database`));
}

function gitProgram(_name: string, args: Word[]): ProgramEffect {
  return only(gitRisk(values(args)));
}

function mutatingUnlessRead(reads: Set<string>, what: string): Judge {
  return (name, args) => {
    const sub = operands(args)[0]?.value;
    if (sub && reads.has(sub)) return only(low(`${name} ${sub} only reads`));
    if (name === 'terraform' || name === 'tofu') {
      if (sub && reads.has(sub)) return only(low(`${name} ${sub}`));
    }
    return only(high(`${name} ${sub ?? ''} ${what}`.replace(/\s+/g, ' ')));
  };
}

function gh(_name: string, args: Word[]): ProgramEffect {
  const ops = operands(args).map((o) => o.value);
  if (ops.length === 0 || ops.some((o) => o !== null && GH_READS.has(o)) && !ops.includes('release') && !ops.includes('secret')) return only(medium('gh reads from GitHub'));
  return only(high(`gh ${ops.slice(0, 2).join(' ')} acts on GitHub as the user`));
}

function curl(name: string, args: Word[]): ProgramEffect {
  const uploads = args.some((a) => a.value !== null && (/^(-T|--upload-file|--post-file|--body-file)$/.test(a.value) || /^--(post|body)-file=/.test(a.value)))
    || args.some((a, i) => /^(-d|--data|--data-binary|--data-raw|--data-urlencode|-F|--form)$/.test(args[i - 1]?.value ?? '') && a.value !== null && a.value.includes('@'));
  const urls = args.filter((a) => a.value !== null && /^[a-z]+:\/\//i.test(a.value));
  if (uploads && !urls.every((u) => LOCAL_URL.test(u.value!.replace(/^[a-z]+:\/\//i, '')))) return only(high(`${name} uploads a file to another machine`));
  return only(medium(`${name} fetches from the network`));
}

function chmod(name: string, args: Word[]): ProgramEffect {
  if (hasFlag(args, ['--recursive'], 'R')) return only(high(`${name} -R changes permissions on a whole tree`));
  if (name !== 'chmod') return only(high(`${name} changes file ownership`));
  const mode = operands(args)[0]?.value ?? '';
  if (/s|^[2-7]\d{3}$/.test(mode) && !/^[0-7]{3}$/.test(mode)) return only(high('chmod sets a setuid/setgid bit'));
  return only(medium(`chmod ${mode}`));
}

/** The scripts given to sed/awk with -e (also clustered, -ne) or --expression=/--source=. */
function inlinePrograms(args: Word[], longs: string[]): (string | null)[] {
  const out: (string | null)[] = [];
  args.forEach((a, i) => {
    const prev = args[i - 1]?.value ?? '';
    if (/^-[a-zA-Z]*e$/.test(prev) || longs.includes(prev)) out.push(a.value);
    else if (a.value !== null && longs.some((l) => a.value!.startsWith(`${l}=`))) out.push(a.value.slice(a.value.indexOf('=') + 1));
  });
  return out;
}

/** sed's e command and s///e flag run commands; w and s///w write files. */
const SED_RUNS_OR_WRITES = [
  /(^|[;\n{}]|[0-9$/])\s*[eWw](\s|;|$)/,
  /s(.)(?:\\.|(?!\1).)*\1(?:\\.|(?!\1).)*\1[gpiImM0-9]*[ewW]/,
];

function sed(name: string, args: Word[]): ProgramEffect {
  const inPlace = hasFlag(args, ['--in-place'], 'i');
  if (args.some((a) => a.value === '-f' || (a.value?.startsWith('--file') ?? false))) return only(medium(`${name} runs a script file from the workspace`));
  const scripts = inlinePrograms(args, ['--expression']);
  if (!scripts.length) scripts.push(operands(args)[0]?.value ?? '');
  if (scripts.some((x) => x === null)) return only(high(`${name} runs a script computed at run time`));
  if (scripts.some((x) => SED_RUNS_OR_WRITES.some((r) => r.test(x!)))) return only(high(`${name} script runs commands or writes files`));
  return only(inPlace ? medium(`${name} -i edits files in place`) : low(`${name} only prints`));
}

function awk(name: string, args: Word[]): ProgramEffect {
  if (args.some((a) => a.value === '-f' || (a.value?.startsWith('--file') ?? false))) return only(medium(`${name} runs a program file from the workspace`));
  const progs = inlinePrograms(args, ['--source']);
  if (!progs.length) progs.push(operands(args.filter((_, i) => !['-v', '-F', '--assign', '--field-separator'].includes(args[i - 1]?.value ?? '')))[0]?.value ?? '');
  if (progs.some((x) => x === null)) return only(high(`${name} runs a program computed at run time`));
  // system(), pipes to or from commands, output redirection, and gawk's indirect calls (@f()).
  if (progs.some((x) => /\bsystem\s*\(|\|\s*(getline|")|print[^;}]*[>|]|@\s*[A-Za-z_]|@load/.test(x!))) return only(high(`${name} program runs commands or writes files`));
  return only(low(`${name} only prints`));
}

function letBuiltin(_name: string, args: Word[]): ProgramEffect {
  if (args.some((a) => a.value === null || /[A-Za-z_]/.test(a.value))) return only(high('let evaluates arithmetic on variables, which can run a $(…) stored in them'));
  return only(low('let computes a number'));
}

function shopt(_name: string, args: Word[]): ProgramEffect {
  if (hasFlag(args, [], 's') && args.some((a) => a.value === 'dotglob' || a.value === null)) return only(high('shopt -s dotglob makes globs match hidden files such as .git'));
  return only(low('shopt sets shell options'));
}

function scriptCommand(_name: string, args: Word[]): ProgramEffect {
  const c = args.findIndex((a) => a.value === '--command' || /^-[a-zA-Z]*c$/.test(a.value ?? ''));
  if (c < 0) return only(medium('script records a shell session'));
  return { findings: [medium('script -c runs a command')], scripts: [{ source: args[c + 1]?.value ?? null, what: 'script -c' }] };
}

function editor(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  if (ctx.stdin || args.some((a) => a.value === null || /^(\+|-c$|--cmd$|-S$|-s$|--eval|-x$|--script)/.test(a.value))) {
    return only(high(`${name} is given editor commands, which can run shell commands`));
  }
  return only(medium(`${name} edits files`));
}

/** Options that make an ordinary tool run another program. */
const RUNS_OTHER_PROGRAM: Record<string, RegExp> = {
  tar: /^(--to-command|--checkpoint-action|--use-compress-program|--rsh-command|--info-script|--new-volume-script)|^-[A-Za-z]*[IF]/,
  zip: /^(-TT|--unzip-command)/, rsync: /^(-e$|--rsh|--rsync-path)|^-[A-Za-z]*e$/, sort: /^--compress-program/, split: /^--filter/,
  less: /^(-\+|\+)/, man: /^(-P|--pager|-H|--html)/,
};

function dd(_name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const of = args.find((a) => a.value?.startsWith('of='));
  if (!of) return only(low('dd writes to stdout'));
  const s = sensitiveWrite(of.value!.slice(3), ctx.cwd);
  return only(s ? high(`dd writes ${s.path}, ${s.reason}`) : medium(`dd writes ${of.value!.slice(3)}`));
}

function rsync(_name: string, args: Word[]): ProgramEffect {
  if (operands(args).some((o) => o.value !== null && /^[^/]*:/.test(o.value) && !o.value.startsWith('./'))) return only(high('rsync copies to or from another machine'));
  if (hasFlag(args, ['--delete', '--delete-before', '--delete-after', '--delete-during', '--remove-source-files'], '')) return only(high('rsync --delete deletes files at the destination'));
  return only(medium('rsync copies files'));
}

function make(_name: string, args: Word[]): ProgramEffect {
  const targets = operands(args).map((o) => o.value);
  if (targets.some((t) => t !== null && /^(deploy|publish|release|upload|push|distclean|clean-all|nuke|destroy)$/.test(t))) return only(high(`make ${targets.join(' ')} deploys, publishes or wipes`));
  return only(medium(targets.length ? `make ${targets.join(' ')} runs the project's build` : 'make runs the project\'s default build'));
}

function publisher(what: string, subs: RegExp): Judge {
  return (name, args) => {
    const sub = operands(args)[0]?.value ?? '';
    return only(sub !== null && subs.test(sub) ? high(`${name} ${sub} ${what}`) : medium(`${name} ${sub}`.trim()));
  };
}

function sort(name: string, args: Word[]): ProgramEffect {
  return only(hasFlag(args, ['--output'], 'o') ? medium(`${name} -o writes a file`) : low(`${name} only prints`));
}

function kill(name: string, args: Word[]): ProgramEffect {
  if (operands(args).some((o) => o.value === '-1' || o.value === '1') || args.some((a) => a.value === '-1')) return only(high(`${name} -1 kills every process`));
  return only(medium(`${name} stops processes`));
}

function commandBuiltin(_name: string, args: Word[]): ProgramEffect {
  if (hasFlag(args, [], 'vV')) return only(low('command -v looks a command up'));
  const rest = args.filter((a) => a.value !== '-p');
  return rest.length ? { findings: [], runs: [rest] } : only(low('command with nothing to run'));
}

const SPECIAL: Record<string, Judge> = {
  rm: rm, unlink: rm, rmdir: (n, a, c) => ({ findings: rm(n, a, c).findings.map((f) => (f.risk === 'medium' ? medium(`removes the empty directory ${operands(a).map((o) => o.value).join(' ')}`) : f)) }),
  shred: rm, srm: rm, wipe: rm,
  rimraf: (n, a) => only(high(`${n} deletes ${operands(a).map((o) => o.value ?? o.source).join(' ')} recursively`)), 'del-cli': (n) => only(high(`${n} deletes files by glob`)),
  find, xargs, eval: evalBuiltin, alias, trap, watch, command: commandBuiltin,
  git: gitProgram, prisma, gh, curl, wget: curl, http: curl, xh: curl,
  chmod, chown: chmod, chgrp: chmod, sed, gsed: sed, awk, gawk: awk, mawk: awk, nawk: awk, dd, rsync, make, gmake: make,
  hash: (_n, a) => only(hasFlag(a, [], 'p') ? high('hash -p makes a command name run another file') : low('hash lists remembered commands')),
  enable: (_n, a) => only(hasFlag(a, [], 'f') ? high('enable -f loads a shared library into the shell') : medium('enable turns shell builtins on or off')),
  kill, pkill: kill, killall: kill, sort, let: letBuiltin, shopt, script: scriptCommand, source, '.': source,
  parallel: () => only(high('parallel runs commands built from its input, which cannot be checked')),
  tmux: () => only(high('tmux runs commands in a terminal that outlives the call')), screen: () => only(high('screen runs commands in a terminal that outlives the call')),
  vi: editor, vim: editor, nvim: editor, ex: editor, ed: editor, emacs: editor, view: editor,
  npx: packageRunner, bunx: packageRunner, pnpx: packageRunner,
  docker: mutatingUnlessRead(DOCKER_READS, 'changes containers, images or volumes'), podman: mutatingUnlessRead(DOCKER_READS, 'changes containers, images or volumes'),
  'docker-compose': mutatingUnlessRead(new Set(['ps', 'logs', 'config', 'images', 'top', 'version', 'ls']), 'changes containers'),
  kubectl: mutatingUnlessRead(KUBECTL_READS, 'changes the cluster'), oc: mutatingUnlessRead(KUBECTL_READS, 'changes the cluster'),
  helm: mutatingUnlessRead(HELM_READS, 'changes releases in the cluster'),
  terraform: mutatingUnlessRead(TERRAFORM_READS, 'changes real infrastructure'), tofu: mutatingUnlessRead(TERRAFORM_READS, 'changes real infrastructure'),
  cargo: publisher('publishes or changes a crate on the registry', /^(publish|yank|owner|login)$/),
  twine: publisher('publishes a package', /^(upload|register)$/),
  poetry: publisher('publishes a package', /^publish$/), flit: publisher('publishes a package', /^publish$/), hatch: publisher('publishes a package', /^publish$/),
  gem: publisher('publishes or removes a gem', /^(push|yank|owner)$/), mvn: publisher('deploys an artifact', /^(deploy|release:perform)$/),
  gradle: publisher('publishes an artifact', /^publish/), dotnet: (n, a) => (values(a).includes('push') ? only(high('dotnet nuget push publishes a package')) : only(medium(`${n} ${values(a)[0] ?? ''}`.trim()))),
};
for (const s of SHELLS) SPECIAL[s] = shell;
for (const i of Object.keys(INTERPRETERS)) SPECIAL[i] = interpreter;
for (const p of PACKAGE_MANAGERS) SPECIAL[p] = packageManager;
for (const d of DB_CLIENTS) SPECIAL[d] = dbClient;
