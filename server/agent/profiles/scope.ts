// The profile's scope, checked before any rule: is this tool offered, does every path the call
// reads or writes fall inside the profile's globs, is every command one the profile may run.
// Paths of run_command come from the policy's own shell parse (classifyCall): redirect targets
// and the operands of each simple command, resolved against the directory it runs in.
import { classifyCall } from '../policy/classify.ts';
import { READERS, WRITERS } from '../policy/path-operands.ts';
import { resolveInWorkspace } from '../policy/paths.ts';
import { globToRegExp } from '../policy/rules.ts';
import type { ProfileSpec, RunProfile } from './spec.ts';

const READ_TOOLS = new Set(['read_file', 'list_dir', 'search']);
const WRITE_TOOLS = new Set(['write_file', 'edit_file']);
/** Whose first operand is a pattern or script, not a path. */
const SCRIPT_FIRST = new Set(['sed', 'gsed', 'awk', 'gawk', 'grep', 'egrep', 'fgrep', 'rg']);
/** Whose operands are text, not paths. */
const TEXT_ARGS = new Set(['echo', 'printf']);

export function offersTool(spec: ProfileSpec, tool: string): boolean {
  return spec.tools.includes('*') || spec.tools.includes(tool);
}

/** Whether a workspace-relative path is inside globs: some plain glob matches and no `!` glob does. */
export function pathInGlobs(rel: string, globs: readonly string[]): boolean {
  const match = (g: string) => globToRegExp(g, true).test(rel);
  return globs.some((g) => !g.startsWith('!') && match(g)) && !globs.some((g) => g.startsWith('!') && match(g.slice(1)));
}

/** Whether the profile lets a command reach this host (the egress proxy asks; an empty list means none). */
export function profileAllowsHost(profile: RunProfile | null, host: string): boolean {
  if (!profile) return true;
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  return profile.spec.network.hosts.some((allowed) => allowed === '*' || (allowed.startsWith('*.') ? h.endsWith(allowed.slice(1)) : h === allowed));
}

/** Why the call is outside the profile's scope, in words that complete "outside the … task's scope: ", or null when inside. */
export async function outOfScope(spec: ProfileSpec, tool: string, input: unknown): Promise<string | null> {
  if (!offersTool(spec, tool)) return `the ${tool} tool is not one of its tools (${spec.tools.join(', ') || 'none'})`;
  const c = await classifyCall(tool, input);
  if (c.invalid) return null; // the policy denies invalid arguments in its own words
  if (READ_TOOLS.has(tool)) return pathScope(spec, 'read', c.parts[0]!.subject, '.');
  if (WRITE_TOOLS.has(tool)) return pathScope(spec, 'write', c.parts[0]!.subject, '.');
  if (tool !== 'run_command') return null;
  for (const part of c.parts) {
    // A redirect on a compound statement is a part of its own with no words: its targets still count.
    if (part.argv.length && spec.commands.length && !spec.commands.some((g) => globToRegExp(g, false).test(part.subject))) {
      return `\`${part.subject}\` is not one of the commands it may run`;
    }
    const cwd = part.cwd ?? '.';
    for (const target of part.writes ?? []) {
      if (target === null) {
        if (!unrestricted(spec.paths.write)) return 'a redirect writes to a path computed at run time, which cannot be checked against its paths';
        continue;
      }
      const out = pathScope(spec, 'write', target, cwd);
      if (out) return out;
    }
    const [program, ...args] = part.argv;
    if (program === undefined || TEXT_ARGS.has(program)) continue;
    const operands = args.filter((a) => !a.startsWith('-') || a.includes('=')).map((a) => (a.startsWith('-') ? a.slice(a.indexOf('=') + 1) : a))
      .filter((a) => a && !/^[a-z][a-z0-9+.-]*:\/\//i.test(a));
    const paths = SCRIPT_FIRST.has(program) && !args.includes('-e') ? operands.slice(1) : operands;
    // Programs known to write have their operands checked as writes; every other program's as reads.
    const access = WRITERS.has(program) && !READERS.has(program) ? 'write' : 'read';
    for (const p of paths) {
      const out = pathScope(spec, access, p, cwd);
      if (out) return out;
    }
  }
  return null;
}

function unrestricted(globs: readonly string[]): boolean {
  return globs.includes('**') && !globs.some((g) => g.startsWith('!'));
}

function pathScope(spec: ProfileSpec, access: 'read' | 'write', p: string, cwd: string): string | null {
  const globs = spec.paths[access];
  // `**` alone is no path scope at all: what lies outside the workspace stays the classifier's
  // (high, so a person is asked), as it was before profiles.
  if (unrestricted(globs)) return null;
  const rel = resolveInWorkspace(p, cwd);
  if (rel !== null && pathInGlobs(rel, globs)) return null;
  const where = rel === null ? `${p} is outside the workspace` : `${rel} is not in its ${access} paths`;
  return `${access === 'write' ? 'writes' : 'reads'} ${p}: ${where} (${globs.join(', ') || 'none'})`;
}
