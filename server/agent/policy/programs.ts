// What individual programs do, by name and arguments, once the shell has been taken apart.
// Programs that run other commands (bash -c, xargs, find -exec …) do not decide here: they
// hand back what they would run, and the shell classifier judges that in turn.
import type { Word } from './shell-parse.ts';
import { gitRisk } from './git-risk.ts';
import { sensitiveWrite, outsideWorkspace } from './paths.ts';
import { high, low, medium, type Finding } from './risk.ts';

/** What a program does: findings about itself, plus commands or scripts it runs. */
export interface ProgramEffect {
  findings: Finding[];
  /** argv it runs (find -exec, xargs); a null word is filled in at run time. */
  runs?: Word[][];
  /** Shell source it runs (bash -c, eval, alias bodies); null when computed at run time. */
  scripts?: { source: string | null; what: string }[];
}

export interface ProgramContext { cwd: string; stdin: 'pipe' | 'heredoc' | 'herestring' | 'file' | null; stdinText: string | null }

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
const hasFlag = (args: Word[], long: string[], short: string) =>
  args.some((a) => a.value !== null && (long.includes(a.value) || long.some((l) => a.value!.startsWith(`${l}=`)) || (/^-[a-zA-Z]+$/.test(a.value) && [...short].some((c) => a.value!.includes(c)))));

const only = (f: Finding): ProgramEffect => ({ findings: [f] });

/** Programs that only read and print. Their operands are still checked for paths outside. */
const READERS = new Set([
  'ls', 'll', 'la', 'dir', 'cat', 'tac', 'head', 'tail', 'less', 'more', 'wc', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'fd', 'fdfind', 'tree',
  'pwd', 'echo', 'printf', 'true', 'false', 'test', '[', ':', 'which', 'whereis', 'type', 'file', 'stat', 'du', 'df', 'diff', 'cmp', 'comm',
  'uniq', 'cut', 'tr', 'nl', 'fold', 'fmt', 'column', 'paste', 'join', 'rev', 'od', 'xxd', 'hexdump', 'strings', 'md5sum', 'sha1sum',
  'sha256sum', 'sha512sum', 'cksum', 'b2sum', 'basename', 'dirname', 'realpath', 'readlink', 'date', 'whoami', 'id', 'uname', 'hostname',
  'printenv', 'ps', 'free', 'uptime', 'seq', 'sleep', 'cd', 'pushd', 'popd', 'dirs', 'read', 'locale', 'nproc', 'jq', 'yq', 'cal', 'expr',
  'tput', 'clear', 'history', 'getconf', 'lsof', 'pgrep', 'shasum', 'numfmt', 'look', 'zcat', 'zgrep', 'bat', 'batcat', 'exa', 'eza', 'tokei', 'cloc',
  'wait', 'exit', 'return', 'shift', 'set', 'shopt', 'unset', 'local', 'declare', 'typeset', 'export', 'readonly', 'let', 'hash', 'help', 'man', 'info',
]);
/** Whose arguments are text, not paths (a "/" in them names nothing). */
const TEXT_ARGS = new Set(['echo', 'printf', 'expr', 'test', '[', 'let', 'jq', 'yq', 'seq', 'date', 'numfmt', 'alias', 'trap', 'export', 'declare', 'typeset', 'local', 'readonly', 'set']);
/** First operand is a pattern or program, not a path. */
const PATTERN_FIRST = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'sed', 'awk', 'gawk', 'mawk', 'nawk', 'zgrep', 'look']);

const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'fish', 'busybox', 'rbash', 'tcsh', 'csh']);
/** Interpreters, with the options that take program text inline. */
const INTERPRETERS: Record<string, string[]> = {
  python: ['-c'], python3: ['-c'], python2: ['-c'], pypy: ['-c'], pypy3: ['-c'],
  node: ['-e', '--eval', '-p', '--print', '-r', '--require', '--import', '--loader'], nodejs: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'], bun: ['-e', '--eval', '-p', '--print'], perl: ['-e', '-E', '-n', '-p', '-i'], ruby: ['-e'], php: ['-r'], lua: ['-e'],
  Rscript: ['-e'], R: ['-e'], tclsh: [], osascript: ['-e'], pwsh: ['-c', '-Command'], powershell: ['-c', '-Command'],
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
const WRITERS = new Set(['cp', 'mv', 'install', 'ln', 'tee', 'touch', 'mkdir', 'truncate', 'patch', 'rsync', 'dd', 'unzip', 'tar', 'chmod', 'chown', 'chgrp', 'chattr', 'setfacl', 'sed', 'split', 'csplit', 'gzip', 'gunzip', 'bzip2', 'xz', 'zip', 'mkfifo', 'mknod', 'cpio', 'editor', 'vi', 'vim', 'nvim', 'nano', 'emacs', 'code']);

const LOCAL_URL = /^(https?:\/\/)?(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)([:/]|$)/;

export function judgeProgram(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const special = SPECIAL[name];
  const effect = special ? special(name, args, ctx) : generic(name, args);
  return { ...effect, findings: [...effect.findings, ...pathFindings(name, args, ctx)] };
}

/** Paths named anywhere: outside the workspace is high for every program; sensitive files for any program that may write them. */
function pathFindings(name: string, args: Word[], ctx: ProgramContext): Finding[] {
  if (TEXT_ARGS.has(name) || name === 'git') return [];
  const ops = PATTERN_FIRST.has(name) && !args.some((a) => a.value === '-e' || a.value === '-f' || a.value === '--regexp') ? operands(args).slice(1) : args;
  const out: Finding[] = [];
  // sed without -i and awk only print; their file operands are read.
  const reader = READERS.has(name) || (PATTERN_FIRST.has(name) && !hasFlag(args, ['--in-place'], 'i'));
  for (const a of ops) {
    const v = a.value;
    if (v === null) continue;
    const p = v.startsWith('-') ? v.slice(v.indexOf('=') + 1) : v;
    if (!p || (v.startsWith('-') && !v.includes('='))) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) continue;
    if (!looksLikePath(p)) continue;
    if (outsideWorkspace(p, ctx.cwd)) { out.push(high(`${name} names ${p}, outside the workspace`)); continue; }
    if (reader && name !== 'cd' && name !== 'pushd') continue;
    const s = sensitiveWrite(name === 'cd' || name === 'pushd' ? `${p}/x` : p, ctx.cwd);
    if (s) {
      out.push(high(name === 'cd' || name === 'pushd' ? `the command changes into ${p}, where writes are far-reaching` : `${name} touches ${s.path}, ${s.reason}`));
    }
  }
  return out;
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

function shell(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const cIdx = args.findIndex((a) => a.value !== null && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a.value) && !a.value.startsWith('--'));
  if (name === 'busybox' && args[0]?.value !== 'sh' && args[0]?.value !== 'ash') {
    return args[0] ? { findings: [], runs: [args] } : only(low('busybox lists its applets'));
  }
  if (cIdx >= 0) {
    const script = args[cIdx + 1];
    return { findings: [medium(`${name} -c runs a script`)], scripts: [{ source: script ? script.value : '', what: `${name} -c` }] };
  }
  const scriptArg = operands(args.filter((a) => a.value !== '-s'))[0];
  if (scriptArg && !hasFlag(args, [], 's')) {
    if (scriptArg.value === null) return only(high(`${name} runs a script whose path is computed at run time`));
    return only(medium(`${name} runs the script ${scriptArg.value}`));
  }
  if (ctx.stdin === 'heredoc' || ctx.stdin === 'herestring') {
    return { findings: [medium(`${name} runs the here-document`)], scripts: [{ source: ctx.stdinText, what: `${name} <<here-document` }] };
  }
  if (ctx.stdin === 'pipe') return only(high(`${name} runs commands read from a pipe (such as a download), which cannot be checked`));
  if (ctx.stdin === 'file') return only(medium(`${name} runs a script file from stdin`));
  return only(medium(`starts ${name}`));
}

function interpreter(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const inline = INTERPRETERS[name] ?? [];
  const used = args.find((a) => a.value !== null && inline.some((o) => a.value === o || (o.startsWith('--') && a.value!.startsWith(`${o}=`)) || (o.length === 2 && a.value!.startsWith(o) && !a.value!.startsWith('--'))));
  if (used) return only(high(`${name} ${used.value} runs inline code, which the policy cannot check`));
  const ops = operands(args);
  const m = args.findIndex((a) => a.value === '-m');
  if (m >= 0) {
    const mod = args[m + 1]?.value;
    if (mod === 'http.server' || mod === 'SimpleHTTPServer') return only(medium(`${name} -m ${mod} serves the workspace`));
    if (mod === 'twine' && args.some((a) => a.value === 'upload')) return only(high('twine upload publishes a package'));
    return only(medium(`${name} -m ${mod ?? '?'}`));
  }
  if (!ops.length) {
    if (ctx.stdin === 'pipe') return only(high(`${name} runs a program read from a pipe (such as a download), which cannot be checked`));
    if (ctx.stdin === 'heredoc' || ctx.stdin === 'herestring') return only(high(`${name} runs a program from a here-document, which the policy cannot check`));
    return only(medium(`starts ${name}`));
  }
  if (ops[0]!.value === null) return only(high(`${name} runs a program whose path is computed at run time`));
  const rest = ops.slice(1).map((o) => o.value);
  if (/manage\.py$/.test(ops[0]!.value!) && rest.some((r) => r !== null && DB_WIPE_TASKS.test(r))) return only(high('manage.py flush wipes the database'));
  return only(medium(`${name} runs ${ops[0]!.value}`));
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
      const cmd = args.slice(i + 1, end < 0 ? undefined : end).map((a) => (a.value === '{}' ? dyn('{}') : a));
      if (!cmd.length) out.push(high(`find ${v} without a command`));
      else runs.push(cmd);
      i = end < 0 ? args.length : end;
    }
  }
  if (!out.length && !runs.length) out.push(low('find only lists files'));
  return { findings: out, runs };
}

function xargs(_name: string, args: Word[]): ProgramEffect {
  const WITH_VALUE = new Set(['-d', '-E', '-e', '-I', '-i', '-L', '-l', '-n', '-P', '-s', '-a', '--delimiter', '--max-args', '--max-procs', '--arg-file', '--replace', '--max-lines', '--eof', '--max-chars']);
  let i = 0;
  while (i < args.length && args[i]!.value !== null && args[i]!.value!.startsWith('-')) {
    const v = args[i]!.value!;
    i += WITH_VALUE.has(v) ? 2 : 1;
  }
  const cmd = args.slice(i);
  if (!cmd.length) return only(low('xargs echoes its input'));
  if (cmd[0]!.value !== null && SHELLS.has(cmd[0]!.value!.split('/').pop()!)) return only(high('xargs feeds its input into a shell script, which cannot be checked'));
  return { findings: [], runs: [[...cmd, dyn('(input)')]] };
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

function packageManager(name: string, args: Word[]): ProgramEffect {
  const sub = operands(args)[0]?.value;
  const all = values(args);
  if (sub === undefined) return only(all.length ? low(`${name} ${all.join(' ')}`) : medium(`runs ${name}`));
  if (sub === null) return only(high(`${name} is given a subcommand computed at run time`));
  if (PUBLISH_SUBCOMMANDS.has(sub) || (sub === 'npm' && all.includes('publish'))) return only(high(`${name} ${sub} publishes or changes a package on the registry`));
  if (hasFlag(args, ['--global', '--location=global'], 'g') && ['install', 'i', 'add', 'uninstall', 'remove', 'rm', 'link', 'update'].includes(sub)) return only(high(`${name} ${sub} -g changes packages outside the workspace`));
  if ((sub === 'exec' || sub === 'dlx' || sub === 'x') && name !== 'npm') {
    const rest = args.slice(args.findIndex((a) => a.value === sub) + 1).filter((a) => a.value !== '--');
    return rest.length ? { findings: [], runs: [rest] } : only(medium(`${name} ${sub}`));
  }
  if (name === 'npm' && sub === 'exec') {
    const dash = args.findIndex((a) => a.value === '--');
    const rest = dash >= 0 ? args.slice(dash + 1) : operands(args).slice(1);
    return rest.length ? { findings: [], runs: [rest] } : only(medium('npm exec'));
  }
  if (sub === 'audit' && !all.includes('fix')) return only(low(`${name} audit only reports`));
  if (READ_ONLY_PM.has(sub) && !(sub === 'config' && all.some((a) => a === 'set' || a === 'delete'))) return only(low(`${name} ${sub} only reads`));
  if (sub === 'run' || sub === 'run-script' || sub === 'test' || sub === 't' || sub === 'start' || sub === 'tst') return only(medium(`runs the project's ${sub === 'run' || sub === 'run-script' ? operands(args)[1]?.value ?? '' : sub} script`.replace(/\s+script$/, ' script')));
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

function sed(name: string, args: Word[]): ProgramEffect {
  const inPlace = hasFlag(args, ['--in-place'], 'i');
  const scripts = args.filter((a, i) => args[i - 1]?.value === '-e' || args[i - 1]?.value === '--expression').map((a) => a.value);
  if (!scripts.length) scripts.push(operands(args)[0]?.value ?? '');
  if (scripts.some((s) => s === null)) return only(high(`${name} runs a script computed at run time`));
  if (scripts.some((s) => /(^|[;\n}]\s*)[0-9,$]*\s*e\b|\/[gpiIm0-9]*e[gpiIm0-9]*\s*($|[;}])|(^|[;\n]\s*)[0-9,$/]*\s*[wW]\s/.test(s!))) return only(high(`${name} script runs commands or writes files`));
  return only(inPlace ? medium(`${name} -i edits files in place`) : low(`${name} only prints`));
}

function awk(name: string, args: Word[]): ProgramEffect {
  const prog = operands(args.filter((a, i) => !['-v', '-F', '-f'].includes(args[i - 1]?.value ?? '')))[0]?.value ?? '';
  if (args.some((a) => a.value === '-f')) return only(medium(`${name} runs a program file`));
  if (prog === null) return only(high(`${name} runs a program computed at run time`));
  if (/\bsystem\s*\(|\|\s*(getline|")|print[^;}]*[>|]/.test(prog)) return only(high(`${name} program runs commands or writes files`));
  return only(low(`${name} only prints`));
}

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
  kill, pkill: kill, killall: kill, sort,
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
