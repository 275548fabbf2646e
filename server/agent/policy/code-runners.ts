// Programs that run other code: shells and interpreters (with a script, inline code, or their
// input), eval, alias and trap bodies, xargs, find -exec, npx, watch, script, editors given
// commands. They hand back what they would run; the shell classifier judges it in turn. Code the
// line cannot show (a pipe, a download, inline Python) is high.
import { DB_WIPE_TASKS } from './databases.ts';
import { dyn, hasFlag, longOptionIs, only, operands, type Judge, type ProgramContext, type ProgramEffect } from './judge.ts';
import { resolveInWorkspace } from './paths.ts';
import { high, low, medium, type Finding } from './risk.ts';
import type { Word } from './shell-parse.ts';

export const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'fish', 'busybox', 'rbash', 'tcsh', 'csh']);

/** Interpreters: the options (and short-option letters, also inside clusters like -Ic) that take program text inline. */
const INTERPRETERS: Record<string, { options: string[]; letters: string }> = {
  python: { options: [], letters: 'c' }, python3: { options: [], letters: 'c' }, python2: { options: [], letters: 'c' }, pypy: { options: [], letters: 'c' }, pypy3: { options: [], letters: 'c' },
  node: { options: ['--eval', '--print', '--require', '--import', '--loader', '--experimental-loader'], letters: 'epr' }, nodejs: { options: ['--eval', '--print', '--require'], letters: 'epr' },
  deno: { options: ['eval'], letters: '' }, perl: { options: [], letters: 'eE' }, ruby: { options: [], letters: 'e' }, php: { options: [], letters: 'rB' },
  lua: { options: [], letters: 'e' }, luajit: { options: [], letters: 'e' }, Rscript: { options: [], letters: 'e' }, R: { options: [], letters: 'e' },
  tclsh: { options: [], letters: '' }, expect: { options: [], letters: 'c' }, julia: { options: ['--eval', '--print'], letters: 'eE' }, irb: { options: [], letters: '' },
  osascript: { options: [], letters: 'e' }, pwsh: { options: ['-Command', '-EncodedCommand'], letters: 'c' }, powershell: { options: ['-Command', '-EncodedCommand'], letters: 'c' },
};

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
  if (!body || body.value === '-' || body.value === '') return only(low(body ? 'resets traps' : 'lists traps'));
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

function letBuiltin(_name: string, args: Word[]): ProgramEffect {
  if (args.some((a) => a.value === null || /[A-Za-z_]/.test(a.value))) return only(high('let evaluates arithmetic on variables, which can run a $(…) stored in them'));
  return only(low('let computes a number'));
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

function commandBuiltin(_name: string, args: Word[]): ProgramEffect {
  if (hasFlag(args, [], 'vV')) return only(low('command -v looks a command up'));
  const rest = args.filter((a) => a.value !== '-p');
  return rest.length ? { findings: [], runs: [rest] } : only(low('command with nothing to run'));
}

/** Text that runs a command when bash evaluates it as a variable name or array subscript. */
const CODE_IN_NAME = /\$\(|`|\$\{|\$\[/;

/**
 * Builtins that take variable names: a name like 'a[$(rm -rf src)]' runs the command when
 * bash evaluates the subscript. Which arguments are names differs per builtin.
 */
function nameTaker(namesOf: (args: Word[]) => Word[], otherwise: (name: string) => ProgramEffect): Judge {
  return (name, args) => {
    const bad = namesOf(args).find((a) => a.value === null || CODE_IN_NAME.test(a.value));
    if (bad) return only(high(`${name} is given the name ${bad.value ?? bad.source}, whose subscript runs a command`));
    return otherwise(name);
  };
}
const after = (flag: string) => (args: Word[]) => args.filter((_, i) => args[i - 1]?.value === flag);
const reads = (name: string) => only(low(`${name} only reads or sets variables`));

export const CODE_RUNNERS: Record<string, Judge> = {
  declare: nameTaker(operands, reads), typeset: nameTaker(operands, reads), local: nameTaker(operands, reads), export: nameTaker(operands, reads),
  readonly: nameTaker(operands, reads), unset: nameTaker(operands, reads), read: nameTaker(operands, reads),
  printf: nameTaker(after('-v'), (n) => only(low(`${n} only prints`))), test: nameTaker(after('-v'), reads), '[': nameTaker(after('-v'), reads),
  wait: nameTaker(after('-p'), reads),
  mapfile: (n, a, c) => (hasFlag(a, [], 'C') ? only(high(`${n} -C runs a callback command`)) : nameTaker(operands, reads)(n, a, c)),
  compgen: (n, a) => only(hasFlag(a, [], 'CF') ? high(`${n} -C/-F runs a command`) : low(`${n} lists completions`)),
  fc: () => only(high('fc re-runs commands from the history')),
  find, xargs, eval: evalBuiltin, alias, trap, watch, command: commandBuiltin, let: letBuiltin, script: scriptCommand, source, '.': source,
  parallel: () => only(high('parallel runs commands built from its input, which cannot be checked')),
  tmux: () => only(high('tmux runs commands in a terminal that outlives the call')), screen: () => only(high('screen runs commands in a terminal that outlives the call')),
  vi: editor, vim: editor, nvim: editor, ex: editor, ed: editor, emacs: editor, view: editor,
  npx: packageRunner, bunx: packageRunner, pnpx: packageRunner,
};
CODE_RUNNERS.readarray = CODE_RUNNERS.mapfile!;
for (const s of SHELLS) CODE_RUNNERS[s] = shell;
for (const i of Object.keys(INTERPRETERS)) CODE_RUNNERS[i] = interpreter;
