// The repository's state as the git panel shows it: the branch, how far it is from its upstream,
// and each changed path with its staged (index) and unstaged (work tree) change.
import { git, GitError, type GitWorkspace } from './run.ts';

/** One letter per change, as git prints them: Modified, Added, Deleted, Renamed, Copied, Type changed, Unmerged. */
export type ChangeCode = 'M' | 'A' | 'D' | 'R' | 'C' | 'T' | 'U';

export interface FileStatus {
  path: string;
  /** The old path of a rename or copy. */
  from?: string;
  /** The change staged in the index, or null. */
  staged: ChangeCode | null;
  /** The change in the work tree not yet staged, or null. */
  unstaged: ChangeCode | null;
  untracked: boolean;
  conflicted: boolean;
}

export type RepoStatus =
  | { repository: false }
  | {
    repository: true;
    /** null when HEAD is detached. */
    branch: string | null;
    /** The commit HEAD points at; null before the first commit. */
    head: string | null;
    upstream: string | null;
    ahead: number;
    behind: number;
    files: FileStatus[];
  };

const code = (c: string | undefined): ChangeCode | null => (c && c !== '.' && 'MADRCTU'.includes(c) ? (c as ChangeCode) : null);

/** Parses `git status --porcelain=v2 --branch -z` (its format is stable by design). */
export function parseStatus(out: string): Extract<RepoStatus, { repository: true }> {
  const status: Extract<RepoStatus, { repository: true }> = { repository: true, branch: null, head: null, upstream: null, ahead: 0, behind: 0, files: [] };
  const records = out.split('\0');
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (!r) continue;
    if (r.startsWith('# ')) {
      const [, key, ...rest] = r.split(' ');
      const value = rest.join(' ');
      if (key === 'branch.oid') status.head = value === '(initial)' ? null : value;
      if (key === 'branch.head') status.branch = value === '(detached)' ? null : value;
      if (key === 'branch.upstream') status.upstream = value;
      if (key === 'branch.ab') {
        const m = /^\+(\d+) -(\d+)$/.exec(value);
        if (m) { status.ahead = Number(m[1]); status.behind = Number(m[2]); }
      }
      continue;
    }
    const kind = r[0];
    if (kind === '?') {
      status.files.push({ path: r.slice(2), staged: null, unstaged: null, untracked: true, conflicted: false });
    } else if (kind === '1' || kind === '2' || kind === 'u') {
      // 1 XY sub mH mI mW hH hI path · 2 XY sub mH mI mW hH hI Xscore path\0from · u XY sub m1 m2 m3 mW h1 h2 h3 path
      const fields = kind === '1' ? 8 : kind === '2' ? 9 : 10;
      const parts = r.split(' ');
      const xy = parts[1] ?? '..';
      const path = parts.slice(fields).join(' ');
      const file: FileStatus = kind === 'u'
        ? { path, staged: 'U', unstaged: 'U', untracked: false, conflicted: true }
        : { path, staged: code(xy[0]), unstaged: code(xy[1]), untracked: false, conflicted: false };
      if (kind === '2') file.from = records[++i];
      status.files.push(file);
    }
  }
  return status;
}

export async function repoStatus(ws: GitWorkspace): Promise<RepoStatus> {
  try {
    return parseStatus(await git(ws, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all']));
  } catch (err) {
    if (err instanceof GitError && err.code === 'NOT_A_REPOSITORY') return { repository: false };
    throw err;
  }
}
