// Judges a whole command line: every simple command it would run, including the ones hidden in
// $(…), bash -c, eval, xargs, find -exec, aliases and wrappers (env, timeout, nohup, sudo …),
// plus what each redirect writes. Anything the parser or this walker does not fully understand
// is high: unknown means ask, never allow.
import type { Risk } from '../policy.ts';
import { judgeProgram, type ProgramContext } from './programs.ts';
import { MAX_NESTING, parseShell, type SimpleCommand, type Word } from './shell-parse.ts';
import { resolveInWorkspace, sensitiveWrite } from './paths.ts';
import { high, low, medium, worst, type Finding } from './risk.ts';

/** One command the line would run, judged. */
export interface JudgedCommand {
  /** The words as the shell would see them (quotes removed; run-time parts as written). */
  argv: string[];
  /** The command after wrappers (env, timeout, nohup …) are removed: what rules match against. */
  effective: string[];
  risk: Risk;
  reason: string;
  /** The directory the command runs in (after a static `cd` earlier in the line). */
  cwd: string;
  /** Files its redirects write, as written (null: computed at run time); for the task profile's path scope. */
  writes: (string | null)[];
}

export interface ScriptJudgement {
  risk: Risk;
  reason: string;
  commands: JudgedCommand[];
}

/** Variables that change what later commands run or how the line is read. */
const EXECUTION_VARIABLES = /^(IFS|BASH_ENV|ENV|PROMPT_COMMAND|LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT|GIT_SSH|GIT_SSH_COMMAND|GIT_EXTERNAL_DIFF|GIT_PAGER|GIT_EDITOR|GIT_ASKPASS|GIT_EXEC_PATH|GIT_DIR|GIT_WORK_TREE|GIT_CONFIG.*|PAGER|EDITOR|VISUAL|SHELLOPTS|BASHOPTS|PS4|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|RUBYOPT|BASH_FUNC_.*|GLOBIGNORE|BASH_ALIASES|BASH_CMDS|CDPATH|HOME|OLDPWD)$/;

/** Node options that load code: NODE_OPTIONS with these runs a module before every node program. */
const NODE_OPTIONS_CODE = /(^|\s)(-[rep]|--(require|import|loader|experimental-loader|eval|print))/;

/** What setting a variable (NAME=value cmd, export NAME=value, env NAME=value) means, if anything. */
function variableFinding(name: string, value: string | null): Finding | null {
  if (EXECUTION_VARIABLES.test(name)) return high(`setting ${name} changes what later commands run or how the line is read`);
  if (name === 'NODE_OPTIONS') return value === null || NODE_OPTIONS_CODE.test(value) ? high('NODE_OPTIONS loads code into every node program') : medium('sets options for node programs');
  if (name === 'PATH') return medium('setting PATH changes where commands are found');
  return null;
}

/** Wrappers that run the rest of their arguments as a command; value: options that take a value. */
const WRAPPERS: Record<string, { withValue: string[]; leadingOperands?: number }> = {
  env: { withValue: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'] },
  nohup: { withValue: [] },
  coproc: { withValue: [] },
  time: { withValue: ['-f', '--format', '-o', '--output'] },
  nice: { withValue: ['-n', '--adjustment'] },
  ionice: { withValue: ['-c', '--class', '-n', '--classdata', '-p', '-t'] },
  stdbuf: { withValue: ['-i', '-o', '-e'] },
  timeout: { withValue: ['-s', '--signal', '-k', '--kill-after'], leadingOperands: 1 },
  setsid: { withValue: [] },
  exec: { withValue: ['-a'] },
  builtin: { withValue: [] },
  unbuffer: { withValue: [] },
  chronic: { withValue: [] },
  caffeinate: { withValue: [] },
  flock: { withValue: ['-w', '--timeout', '-E', '--conflict-exit-code'], leadingOperands: 1 },
  taskset: { withValue: [], leadingOperands: 1 },
  strace: { withValue: ['-e', '-o', '-p', '-s', '-u'] },
  ltrace: { withValue: ['-e', '-o', '-p', '-s', '-u'] },
  'dotenv': { withValue: ['-e', '-c', '-v'] },
  'cross-env': { withValue: [] },
};

/**
 * What the walk knows at a point of the line: the directory a static `cd` moved to (an
 * approximation that ignores subshells and conditions — paths are judged at any depth, so
 * a wrong guess still finds .git or .bashrc), and the files this line wrote so far, with their
 * content when it is visible (a here-document, echo): a script written and run in one line is
 * judged by what it contains.
 */
interface Scope { cwd: string; depth: number; written: Map<string, string | null> }

export async function judgeScript(source: string, cwd = '.', depth = 0): Promise<ScriptJudgement> {
  const commands: JudgedCommand[] = [];
  const findings: Finding[] = [];
  await walkScript(source, { cwd, depth, written: new Map() }, commands, findings);
  const top = worst([...findings, ...commands.map((c) => ({ risk: c.risk, reason: c.reason }))], low('nothing to run'));
  return { risk: top.risk, reason: top.reason, commands };
}

async function walkScript(source: string, scope: Scope, out: JudgedCommand[], findings: Finding[]): Promise<void> {
  if (scope.depth > MAX_NESTING) { findings.push(high(`commands nested more than ${MAX_NESTING} levels deep are not analysed`)); return; }
  const parsed = await parseShell(source);
  for (const p of parsed.problems) findings.push(high(`${p}; a command the policy cannot fully read needs a person's yes`));
  for (const cmd of parsed.commands) {
    await judgeCommand(cmd, scope, out);
    noteWrites(cmd, scope);
    const cd = cmd.words[0]?.value;
    if ((cd === 'cd' || cd === 'pushd') && cmd.words.length === 2 && cmd.words[1]!.value !== null) {
      scope.cwd = resolveInWorkspace(cmd.words[1]!.value, scope.cwd) ?? scope.cwd;
    }
  }
}

/** Files this command writes through redirects or tee, with their content when the line shows it. */
function noteWrites(cmd: SimpleCommand, scope: Scope) {
  const name = cmd.words[0]?.value;
  const args = cmd.words.slice(1);
  let content: string | null = null;
  if ((name === 'cat' || name === 'tee') && (cmd.stdin === 'heredoc' || cmd.stdin === 'herestring')) content = cmd.stdinText;
  if (name === 'echo' && args.every((a) => a.value !== null && !a.value.startsWith('-'))) content = args.map((a) => a.value).join(' ');
  const targets = cmd.redirects.filter((r) => !r.fdDup && r.op.includes('>')).map((r) => r.target.value);
  if (name === 'tee') targets.push(...args.filter((a) => a.value === null || !a.value.startsWith('-')).map((a) => a.value));
  for (const t of targets) {
    const rel = t === null ? null : resolveInWorkspace(t, scope.cwd);
    if (rel !== null) scope.written.set(rel, content);
  }
}

async function judgeCommand(cmd: SimpleCommand, scope: Scope, out: JudgedCommand[]): Promise<void> {
  const findings: Finding[] = [];
  for (const a of cmd.assignments) {
    // `IFS= read -r line`: as a prefix, IFS only changes how that one command splits.
    if (a.name === 'IFS' && cmd.words.length) continue;
    const f = variableFinding(a.name, a.value.value);
    if (f) findings.push(f);
  }
  for (const r of cmd.redirects) findings.push(...redirectFindings(r.op, r.target, r.fdDup, scope.cwd));
  const writes = cmd.redirects.filter((r) => !r.fdDup && r.op.includes('>') && !(r.target.value !== null && HARMLESS_TARGET.test(r.target.value))).map((r) => r.target.value);
  const entry: JudgedCommand = { argv: cmd.words.map(show), effective: [], risk: 'low', reason: '', cwd: scope.cwd, writes };
  out.push(entry);
  const nested: JudgedCommand[] = [];
  if (cmd.words.length) {
    const eff = await judgeArgv(cmd.words, cmd, scope, findings, nested, 0);
    entry.effective = eff.map(show);
  } else if (!findings.length) {
    findings.push(low(cmd.assignments.length ? 'sets shell variables' : 'does nothing'));
  }
  const top = worst(findings, medium(`runs ${entry.argv[0] ?? 'a command'}`));
  entry.risk = top.risk;
  entry.reason = top.reason;
  out.push(...nested);
}

function show(w: Word): string {
  return w.value ?? w.source;
}

/** Redirecting to these writes no file. */
const HARMLESS_TARGET = /^\/dev\/(null|stdout|stderr|fd\/\d+)$/;

function redirectFindings(op: string, target: Word, fdDup: boolean, cwd: string): Finding[] {
  if (fdDup) return [];
  const writes = op.includes('>');
  if (target.value === null) return [writes ? high(`writes to ${target.source}, a path computed at run time`) : medium(`reads ${target.source}`)];
  if (target.glob && writes) return [high(`writes to ${target.value}, a glob`)];
  if (HARMLESS_TARGET.test(target.value)) return [];
  if (!writes) {
    const s = sensitiveWrite(target.value, cwd);
    return s?.kind === 'outside' ? [high(`reads ${target.value}, outside the workspace`)] : [];
  }
  const s = sensitiveWrite(target.value, cwd);
  if (s) return [high(`writes ${target.value}, ${s.reason}`)];
  return [medium(`writes ${target.value}`)];
}

/**
 * Strips wrappers, then judges the program. Returns the effective argv. Commands the program
 * itself runs (xargs, find -exec, bash -c …) are judged and pushed to nested.
 */
async function judgeArgv(words: Word[], cmd: SimpleCommand, scope: Scope, findings: Finding[], nested: JudgedCommand[], hops: number): Promise<Word[]> {
  if (hops > MAX_NESTING) { findings.push(high('too many wrapper commands to analyse')); return words; }
  const head = words[0]!;
  if (head.value === null) { findings.push(high(`the command name ${head.source} is computed at run time, so what runs cannot be checked`)); return words; }
  if (head.glob) { findings.push(high(`the command name ${head.value} is a glob`)); return words; }
  const name = programName(head.value, scope.cwd, findings);
  const args = words.slice(1);
  // Rules match the program as it runs: /usr/bin/rm is rm.
  const effective = [{ ...head, value: name }, ...args];
  const own = name.includes('/') ? resolveInWorkspace(name, scope.cwd) : null;
  if (own !== null && scope.written.has(own)) {
    const body = scope.written.get(own)!;
    findings.push(medium(`runs ${name}, written earlier in this command line`));
    await judgeNestedScript(body, `${name} (written in this line)`, scope, findings, nested);
    return effective;
  }

  if (name === 'sudo' || name === 'doas' || name === 'su' || name === 'pkexec' || name === 'runuser') {
    findings.push(high(`${name} runs a command as another user`));
  }
  const wrapper = WRAPPERS[name];
  if (wrapper) {
    const rest = stripWrapper(name, args, wrapper, findings, scope);
    if (rest === null) return effective;
    if (!rest.length) { findings.push(low(`${name} alone`)); return effective; }
    return judgeArgv(rest, cmd, scope, findings, nested, hops + 1);
  }
  if (name === 'sudo' || name === 'doas') {
    const rest = skipOptions(args, ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '--user', '--group']);
    if (rest.length) return judgeArgv(rest, cmd, scope, findings, nested, hops + 1);
    return effective;
  }

  const ctx: ProgramContext = { cwd: scope.cwd, stdin: cmd.stdin, stdinText: cmd.stdinText, written: scope.written };
  const effect = judgeProgram(name, args, ctx);
  findings.push(...effect.findings);
  for (const run of effect.runs ?? []) {
    const sub: Finding[] = [];
    const inner: JudgedCommand[] = [];
    const fake: SimpleCommand = { ...cmd, words: run, assignments: [], redirects: [], stdin: 'pipe', stdinText: null };
    const eff = await judgeArgv(run, fake, scope, sub, inner, hops + 1);
    const top = worst(sub, medium(`runs ${show(run[0]!)}`));
    nested.push({ argv: run.map(show), effective: eff.map(show), risk: top.risk, reason: `${top.reason} (run by ${name})`, cwd: scope.cwd, writes: [] }, ...inner);
    findings.push({ risk: top.risk, reason: `${name} runs ${show(run[0]!)}: ${top.reason}` });
  }
  for (const s of effect.scripts ?? []) await judgeNestedScript(s.source, s.what, scope, findings, nested);
  return effective;
}

/** Shell source run by a command (bash -c, eval, an alias body …), judged like the line itself. */
async function judgeNestedScript(source: string | null, what: string, scope: Scope, findings: Finding[], nested: JudgedCommand[]) {
  if (source === null) { findings.push(high(`${what} runs a script computed at run time, which cannot be checked`)); return; }
  const sub: Finding[] = [];
  const inner: JudgedCommand[] = [];
  await walkScript(source, { ...scope, depth: scope.depth + 1 }, inner, sub);
  nested.push(...inner);
  const top = worst([...sub, ...inner.map((c) => ({ risk: c.risk, reason: c.reason }))], low(`${what} runs nothing`));
  if (top.risk !== 'low' || sub.length) findings.push({ risk: top.risk, reason: `${what}: ${top.reason}` });
}

/** The program a command name runs: `\rm`, `"rm"` and `/bin/rm` are all rm. */
function programName(value: string, cwd: string, findings: Finding[]): string {
  if (!value.includes('/')) return value;
  if (/^\/(usr\/(local\/)?)?s?bin\/[^/]+$/.test(value)) return value.slice(value.lastIndexOf('/') + 1);
  // Anything else with a slash is a file: one in the workspace is the project's own program.
  if (resolveInWorkspace(value, cwd) === null) findings.push(high(`runs ${value}, outside the workspace`));
  else {
    const s = sensitiveWrite(value, cwd);
    if (s) findings.push(high(`runs ${value}, ${s.reason}`));
  }
  return value;
}

function stripWrapper(name: string, args: Word[], w: { withValue: string[]; leadingOperands?: number }, findings: Finding[], scope: Scope): Word[] | null {
  let i = 0;
  while (i < args.length) {
    const v = args[i]!.value;
    if (v === null) { findings.push(high(`${name} is given an option computed at run time`)); return null; }
    if (v === '--') { i++; break; }
    if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
      const f = variableFinding(v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1));
      if (f) findings.push(f);
      i++; continue;
    }
    if (name === 'env' && (v === '-S' || v === '--split-string' || v.startsWith('--split-string='))) {
      findings.push(high('env -S splits a string into a command, which is not analysed'));
      return null;
    }
    if (name === 'env' && (v === '-C' || v === '--chdir')) {
      const dir = args[i + 1]?.value;
      if (dir === null || dir === undefined || sensitiveWrite(`${dir}/x`, scope.cwd)) findings.push(high(`env -C ${dir ?? ''} runs in a far-reaching directory`));
    }
    if (!v.startsWith('-') || v === '-') break;
    if (name === 'nice' && /^-\d+$/.test(v)) { i++; continue; }
    i += w.withValue.includes(v) ? 2 : 1;
  }
  const operandsToSkip = w.leadingOperands ?? 0;
  if (name === 'flock' && (args[i + 1]?.value === '-c' || args[i + 1]?.value === '--command')) {
    findings.push(high('flock -c runs a shell string'));
    return null;
  }
  return args.slice(i + operandsToSkip);
}

function skipOptions(args: Word[], withValue: string[]): Word[] {
  let i = 0;
  while (i < args.length && args[i]!.value?.startsWith('-')) {
    if (args[i]!.value === '--') { i++; break; }
    i += withValue.includes(args[i]!.value!) ? 2 : 1;
  }
  return args.slice(i);
}
