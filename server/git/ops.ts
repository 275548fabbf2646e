// What a person does to the workspace's repository from the git panel: stage, unstage, commit,
// list and switch branches, pull, read the log. Each is one git call in the sandbox.
import { z } from 'zod';
import { git, GitError, runGit, type GitWorkspace } from './run.ts';

/**
 * A branch name as the panel accepts it: git's own rules (check-ref-format) are checked again in
 * the sandbox; this keeps out what would be read as an option or a revision expression.
 */
export const branchNameSchema = z.string().trim().min(1, 'Enter a branch name').max(200, 'Branch name too long')
  .refine((n) => !n.startsWith('-'), 'A branch name cannot start with "-"')
  .refine((n) => !/[\s~^:?*[\\\0]|\.\.|@\{/.test(n), 'A branch name cannot contain spaces, "..", "@{" or any of ~ ^ : ? * [ \\');

export const commitMessageSchema = z.string().max(20_000, 'Commit message too long').refine((m) => m.trim().length > 0, 'Enter a commit message');

/** The person committing, as git records them. */
export interface Author { name: string; email: string }

const literal = { literalPaths: true };

/** Makes the workspace root a repository (an empty workspace starts without one). */
export async function init(ws: GitWorkspace): Promise<void> {
  await git(ws, ['init', '--quiet', '--initial-branch=main']);
}

export async function stage(ws: GitWorkspace, paths: string[]): Promise<void> {
  // -A: a deleted file is staged as a deletion rather than refused as an unknown path.
  await git(ws, ['add', '-A', '--', ...paths], literal);
}

export async function unstage(ws: GitWorkspace, paths: string[]): Promise<void> {
  // Also right before the first commit: git then takes the paths out of the index.
  await git(ws, ['reset', '--quiet', '--', ...paths], literal);
}

/** Commits what is staged, as the person; the message goes in on stdin so no character of it is special. */
export async function commit(ws: GitWorkspace, message: string, author: Author): Promise<{ hash: string }> {
  const staged = await runGit(ws, ['diff', '--cached', '--quiet']);
  if (staged.exitCode === 0) throw new GitError('INVALID', 'Nothing is staged: stage the changes to commit first.');
  await git(ws, ['commit', '--file=-', '--cleanup=strip'], { stdin: message, config: [`user.name=${author.name}`, `user.email=${author.email}`] });
  return { hash: (await git(ws, ['rev-parse', 'HEAD'])).trim() };
}

export interface Branches { current: string | null; branches: string[] }

export async function branches(ws: GitWorkspace): Promise<Branches> {
  const out = await git(ws, ['for-each-ref', '--format=%(HEAD)%00%(refname:short)', 'refs/heads']);
  const list = out.split('\n').filter(Boolean).map((l) => l.split('\0') as [string, string]);
  // An unborn branch (no commit yet) has no ref, but HEAD still names it.
  const current = list.find(([mark]) => mark === '*')?.[1]
    || (await runGit(ws, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).stdout.trim() || null;
  const names = list.map(([, name]) => name);
  if (current && !names.includes(current)) names.unshift(current);
  return { current, branches: names };
}

/** Switches to a branch, creating it from HEAD first when asked; uncommitted changes come along or git refuses. */
export async function switchBranch(ws: GitWorkspace, name: string, create: boolean): Promise<void> {
  const checked = await runGit(ws, ['check-ref-format', '--branch', name]);
  if (checked.exitCode !== 0) throw new GitError('INVALID', `"${name}" is not a valid branch name.`);
  await git(ws, create ? ['switch', '--create', name] : ['switch', name]);
}

/** Fast-forward only: a pull never makes a merge commit or stops in a conflict behind the panel's back. */
export async function pull(ws: GitWorkspace): Promise<string> {
  const r = await runGit(ws, ['pull', '--ff-only']);
  if (r.exitCode !== 0) throw new GitError('FAILED', `git pull failed: ${(r.stderr || r.stdout).trim()}`);
  return (r.stdout + r.stderr).trim();
}

export interface LogEntry { hash: string; subject: string; author: string; date: string }

export async function log(ws: GitWorkspace, limit: number): Promise<LogEntry[]> {
  const head = await runGit(ws, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  if (head.exitCode !== 0) return [];
  const out = await git(ws, ['log', `-${limit}`, '--format=%H%x00%s%x00%an%x00%aI']);
  return out.split('\n').filter(Boolean).map((l) => {
    const [hash = '', subject = '', author = '', date = ''] = l.split('\0');
    return { hash, subject, author, date };
  });
}
