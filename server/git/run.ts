// Runs git inside the workspace's sandbox as the workspace uid (Workspace.exec): the one way both
// the agent's git tool and the IDE's git panel reach the workspace's repository. Nothing here
// runs git as the server user or on the server's own view of the files.
import type { ExecOptions, ExecResult } from '../workspace/provider.ts';

/** Settings every git call gets: no pager waiting on a terminal, no colour codes in the output. */
const BASE_CONFIG = ['-c', 'core.pager=cat', '-c', 'color.ui=never'];

/** The argv of one git call: `git <base settings> <config…> <args…>`. */
export function gitCommand(args: string[], config: string[] = []): string[] {
  return ['git', ...BASE_CONFIG, ...config, ...args];
}

export const GIT_TIMEOUT_MS = 60_000;

export class GitError extends Error {
  constructor(readonly code: 'NOT_A_REPOSITORY' | 'INVALID' | 'FAILED', message: string) {
    super(message);
    this.name = 'GitError';
  }
}

/** What a git call needs of a workspace. */
export interface GitWorkspace {
  exec(command: string[], options?: ExecOptions): Promise<ExecResult>;
}

export interface GitRunOptions {
  /** `-c name=value` pairs, already formatted (`user.name=Ada`). */
  config?: string[];
  stdin?: string;
  maxOutputBytes?: number;
  /** Paths given to this call are literal names, never pathspec magic (`:(top)`, globs). */
  literalPaths?: boolean;
  timeoutMs?: number;
}

/** Runs git and returns its result whatever the exit code. */
export function runGit(ws: GitWorkspace, args: string[], o: GitRunOptions = {}): Promise<ExecResult> {
  return ws.exec(gitCommand(args, (o.config ?? []).flatMap((c) => ['-c', c])), {
    timeoutMs: o.timeoutMs ?? GIT_TIMEOUT_MS,
    maxOutputBytes: o.maxOutputBytes ?? 1024 * 1024,
    stdin: o.stdin,
    // Without a terminal git must never wait for a password or an editor.
    env: { GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', ...(o.literalPaths ? { GIT_LITERAL_PATHSPECS: '1' } : {}) },
  });
}

/** Runs git and returns its stdout; a failure becomes a GitError with git's own words. */
export async function git(ws: GitWorkspace, args: string[], o: GitRunOptions = {}): Promise<string> {
  const r = await runGit(ws, args, o);
  if (r.exitCode === 0) return r.stdout;
  const words = (r.stderr || r.stdout).trim() || (r.timedOut ? `timed out after ${(o.timeoutMs ?? GIT_TIMEOUT_MS) / 1000} s` : `exit code ${r.exitCode}`);
  if (/not a git repository/i.test(words)) throw new GitError('NOT_A_REPOSITORY', 'The workspace is not a git repository.');
  throw new GitError('FAILED', `git ${args[0]} failed: ${words}`);
}
