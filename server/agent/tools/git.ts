import { z } from 'zod';
import { defineTool } from './tool.ts';
import { formatExec } from './run-command.ts';
import { workspacePath } from './paths.ts';
import { gitCommand } from '../../git/run.ts';

const GIT_TIMEOUT_MS = 60_000;
const GIT_OUTPUT_BYTES = 64 * 1024;

const actions = ['status', 'diff', 'log', 'add', 'commit', 'branch', 'checkout', 'push', 'reset', 'rebase'] as const;
type Action = (typeof actions)[number];

// One flat object rather than a union per action: some providers refuse a top-level anyOf in
// a tool schema. What each action needs is checked below, with messages for the model.
const input = z.object({
  action: z.enum(actions),
  paths: z.array(z.string()).optional().describe('add: files to stage (required); diff, log: limit to these paths'),
  message: z.string().min(1).optional().describe('commit: the commit message (required)'),
  ref: z.string().min(1).optional().describe('checkout: branch or commit (required); reset: target (default HEAD); rebase: upstream (required)'),
  name: z.string().min(1).optional().describe('branch: create a branch with this name (omit to list branches)'),
  create: z.boolean().optional().describe('checkout: create the branch first'),
  staged: z.boolean().optional().describe('diff: show staged changes'),
  limit: z.number().int().min(1).max(200).optional().describe('log: number of commits (default 20)'),
  remote: z.string().optional().describe('push: remote (default origin)'),
  force: z.boolean().optional().describe('push: force-push (rewrites the remote history)'),
  mode: z.enum(['soft', 'mixed', 'hard']).optional().describe('reset: default mixed; hard discards changes'),
}).superRefine((i, ctx) => {
  const need = (field: keyof typeof i, why: string) => {
    if (i[field] === undefined || (Array.isArray(i[field]) && !i[field].length)) ctx.addIssue({ code: 'custom', path: [field], message: why });
  };
  if (i.action === 'add') need('paths', 'add needs the paths to stage');
  if (i.action === 'commit') need('message', 'commit needs a message');
  if (i.action === 'checkout') need('ref', 'checkout needs a ref (branch or commit)');
  if (i.action === 'rebase') need('ref', 'rebase needs the upstream ref');
});
type Input = z.output<typeof input>;

/** Refs and names must not be read as options by git. */
const safeRef = (r: string) => {
  if (r.startsWith('-')) throw new Error(`"${r}" is not a ref`);
  return r;
};

/** The git command line for a call, without "git"; the policy matches rules against it. */
export function gitArgv(i: Input): string[] {
  const paths = (i.paths ?? []).map(workspacePath);
  switch (i.action as Action) {
    case 'status': return ['status', '--short', '--branch'];
    case 'diff': return ['diff', ...(i.staged ? ['--staged'] : []), '--', ...paths];
    case 'log': return ['log', `-${i.limit ?? 20}`, '--format=%h %ad %an: %s', '--date=short', '--', ...paths];
    case 'add': return ['add', '--', ...paths];
    case 'commit': return ['commit', '-m', i.message ?? ''];
    case 'branch': return i.name ? ['branch', '--', safeRef(i.name)] : ['branch', '--list', '-vv'];
    case 'checkout': return i.create ? ['checkout', '-b', safeRef(i.ref ?? '')] : ['checkout', safeRef(i.ref ?? ''), '--'];
    case 'push': return ['push', ...(i.force ? ['--force'] : []), safeRef(i.remote ?? 'origin'), ...(i.ref ? [safeRef(i.ref)] : [])];
    case 'reset': return ['reset', `--${i.mode ?? 'mixed'}`, safeRef(i.ref ?? 'HEAD')];
    case 'rebase': return ['rebase', safeRef(i.ref ?? '')];
  }
}

export const git = defineTool({
  name: 'git',
  description: 'Run a git operation in the workspace repository: status, diff, log, add, commit, branch, checkout; push, reset and rebase are available but high-risk and may need approval.',
  effect: 'vcs',
  input,
  highRisk(i) {
    if (i.action === 'push') return i.force ? 'force-push rewrites the remote history' : 'push publishes commits to a remote';
    if (i.action === 'reset') return i.mode === 'hard' ? 'reset --hard discards uncommitted changes' : 'reset moves the branch';
    if (i.action === 'rebase') return 'rebase rewrites history';
    return null;
  },
  async run(ctx, i) {
    const r = await ctx.workspace.exec(gitCommand(gitArgv(i)), {
      timeoutMs: GIT_TIMEOUT_MS,
      maxOutputBytes: GIT_OUTPUT_BYTES,
      signal: ctx.signal,
    });
    const detail = { exitCode: r.exitCode };
    if (r.exitCode !== 0) return { ok: false, error: `git ${i.action} failed:\n${formatExec(r)}`, detail };
    const out = (r.stdout + r.stderr).trim();
    return { ok: true, output: out || `git ${i.action}: done (no output)`, detail };
  },
});
