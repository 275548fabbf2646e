// Rules as data: an action on a tool and an argument pattern, e.g. allow run_command(npm test*),
// ask write_file(src/**), deny git(push*). Patterns are globs matched against one part of a
// call: a simple command of a shell line (wrappers such as env or timeout removed), a
// workspace-relative path, or a git command line.
import { z } from 'zod';
import type { PolicyAction } from '../policy.ts';

/** Tools a rule may name; '*' names every tool. */
export const RULE_TOOLS = ['read_file', 'list_dir', 'search', 'write_file', 'edit_file', 'run_command', 'git', 'run_tests', 'release_check', '*'] as const;
export type RuleTool = (typeof RULE_TOOLS)[number];

/** Tools whose subject is a path: there `*` stays inside one directory and `**` crosses them. */
const PATH_TOOLS = new Set<string>(['read_file', 'list_dir', 'search', 'write_file', 'edit_file']);

export const MAX_PATTERN_CHARS = 500;

export const policyRuleInput = z.object({
  action: z.enum(['allow', 'ask', 'deny']),
  tool: z.enum(RULE_TOOLS),
  pattern: z.string().trim().min(1, 'a pattern is needed; use * to match everything').max(MAX_PATTERN_CHARS)
    .refine((p) => !/[\0\n\r]/.test(p), 'a pattern is one line of text')
    .refine((p) => !p.includes('***'), 'use * or **, not ***'),
  scope: z.enum(['team', 'workspace']),
}).superRefine((r, ctx) => {
  // Shell lines are split into simple commands before matching, so a pattern spanning two can never match.
  if (r.tool === 'run_command' && /(;|&&|\|\||\||\$\(|`)/.test(r.pattern)) {
    ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'a run_command pattern matches one simple command (no ; && || | $( or backticks); write one rule per command' });
  }
  if (PATH_TOOLS.has(r.tool) && (r.pattern.startsWith('/') || r.pattern.split('/').includes('..'))) {
    ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'path patterns are relative to the workspace root, without ..' });
  }
});
export type PolicyRuleInput = z.infer<typeof policyRuleInput>;

export interface PolicyRule { id: string; action: PolicyAction; tool: RuleTool | string; pattern: string; scope: 'team' | 'workspace' | 'profile' }

/** `run_command(npm test*)` → { tool, pattern }; null when it is not in that form. */
export function parseRuleText(text: string): { tool: string; pattern: string } | null {
  const m = /^\s*([a-z_*]+)\s*\((.*)\)\s*$/s.exec(text);
  return m ? { tool: m[1]!, pattern: m[2]!.trim() } : null;
}

export function describeRule(r: Pick<PolicyRule, 'action' | 'tool' | 'pattern'>): string {
  return `${r.action} ${r.tool}(${r.pattern})`;
}

const compiled = new Map<string, RegExp>();

/**
 * Whether a rule's tool and pattern cover this part of a call. For paths, a pattern without a
 * slash also matches the file name at any depth, as in .gitignore (`*.pem`, `.env`).
 */
export function ruleMatches(rule: Pick<PolicyRule, 'tool' | 'pattern'>, tool: string, subject: string): boolean {
  if (rule.tool !== '*' && rule.tool !== tool) return false;
  if (PATH_TOOLS.has(tool) && !rule.pattern.includes('/')) subject = subject.slice(subject.lastIndexOf('/') + 1);
  const key = `${PATH_TOOLS.has(tool) ? 'p' : 'c'}\0${rule.pattern}`;
  let re = compiled.get(key);
  if (!re) {
    re = globToRegExp(rule.pattern, PATH_TOOLS.has(tool));
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, re);
  }
  return re.test(subject);
}

/**
 * A glob as a whole-string regular expression. For paths, `*` and `?` stay within one segment
 * and `**` crosses segments (`src/**` also matches `src`); for commands, `*` matches anything.
 */
export function globToRegExp(pattern: string, paths: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (paths && pattern[i + 1] === '/') { i++; re += '(?:.*/)?'; continue; }
        re += '.*';
        continue;
      }
      re += paths ? '[^/]*' : '.*';
    } else if (ch === '?') {
      re += paths ? '[^/]' : '.';
    } else {
      re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  // `src/**` also names the folder itself.
  if (paths && pattern.endsWith('/**')) re = `${re.slice(0, -'/.*'.length)}(?:/.*)?`;
  return new RegExp(`^${re}$`, 's');
}
