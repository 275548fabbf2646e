// The shared vocabulary of program judges: what a judge is told (the words after quote
// removal, where stdin comes from, what this line already wrote) and what it answers (findings,
// plus commands or scripts it would run, which the shell classifier then judges in turn).
import type { Word } from './shell-parse.ts';
import type { Finding } from './risk.ts';

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

export type Judge = (name: string, args: Word[], ctx: ProgramContext) => ProgramEffect;

export const dyn = (s: string): Word => ({ value: null, glob: false, source: s });

export const values = (args: Word[]) => args.map((a) => a.value);

export const isFlag = (w: Word) => w.value !== null && w.value.startsWith('-') && w.value !== '-';

/** Operands: words that are not options (everything after `--` counts). */
export function operands(args: Word[]): Word[] {
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
export const hasFlag = (args: Word[], long: string[], short: string) =>
  args.some((a) => a.value !== null && (long.some((l) => longOptionIs(a.value!, l)) || (/^-[a-zA-Z]+$/.test(a.value) && [...short].some((c) => a.value!.includes(c)))));

export const only = (f: Finding): ProgramEffect => ({ findings: [f] });

/** a is the long option f, abbreviated or not, with or without =value (GNU tools and git accept any unambiguous prefix). */
export function longOptionIs(a: string, f: string): boolean {
  if (!a.startsWith('--') || !f.startsWith('--')) return a === f;
  const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
  return name.length >= 4 && f.startsWith(name);
}
