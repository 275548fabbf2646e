// Which paths are far-reaching to write: the ones that run code later (CI config, git hooks,
// shell start-up files), the repository itself (.git), lockfiles' integrity, and anything
// outside the workspace. Paths are judged as the sandbox sees them: the workspace is /workspace.
import path from 'node:path';

export const SANDBOX_ROOT = '/workspace';

export type PathKind = 'outside' | 'git' | 'ci' | 'hook' | 'tether' | 'dotfile' | 'lockfile';

/** Why each kind is far-reaching; completes "writes <path>, …". */
const REASONS: Record<PathKind, string> = {
  outside: 'outside the workspace',
  git: 'inside the repository\'s .git (its history, hooks and config)',
  ci: 'CI configuration, which runs with the project\'s secrets',
  hook: 'a git hook, which runs on every commit',
  tether: 'Tether\'s own workspace configuration (.tether/: release allowlist and settings)',
  dotfile: 'a start-up file that later shells or tools obey',
  lockfile: 'a lockfile, whose integrity hashes decide what code gets installed',
};

/**
 * Protected paths: people write them freely, an agent write there is high risk and its prompt
 * and tool card carry a "protected path" badge. Git hooks and config (all of .git), CI, .tether/.
 */
const PROTECTED: PathKind[] = ['git', 'ci', 'hook', 'tether'];

/** Whether a policy reason names a write to a protected path (the reasons above are the policy's own words). */
export function protectedPathIn(reason: string): boolean {
  return PROTECTED.some((k) => reason.includes(REASONS[k]));
}

/** reason completes "writes <path>, …". */
export interface SensitivePath { kind: PathKind; path: string; reason: string }

/** Paths outside the workspace that are harmless to name: the sandbox's own tmpfs and std streams. */
const HARMLESS_OUTSIDE = [/^\/dev\/(null|zero|u?random|stdin|stdout|stderr|tty|fd\/\d+)$/, /^\/tmp(\/|$)/, /^\/proc\/self\/fd\/\d+$/];

// Matched against every segment suffix of the path, so a directory itself (`mv x .github`) and
// the same names deeper down (reached through a symlink such as `ln -s . x`) count too.
const CI = [/^\.github(\/|$)/, /^\.gitlab-ci\.ya?ml$/, /^\.gitlab(\/|$)/, /^\.circleci(\/|$)/, /^\.travis\.ya?ml$/, /^azure-pipelines\.ya?ml$/, /^Jenkinsfile$/, /^\.buildkite(\/|$)/, /^bitbucket-pipelines\.ya?ml$/, /^\.drone\.ya?ml$/, /^\.woodpecker(\/|\.ya?ml$|$)/, /^\.ci(\/|$)/];
const HOOKS = [/^\.husky(\/|$)/, /^\.githooks(\/|$)/, /^lefthook\.ya?ml$/, /^\.pre-commit-config\.ya?ml$/];
/** Files a shell, git, npm or an editor reads at start-up and obeys: writing one runs code later. */
const DOTFILES = [
  /^\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|inputrc|envrc|npmrc|yarnrc|yarnrc\.yml|pypirc|netrc|gitconfig|gitmodules|wgetrc|curlrc|pip\.conf|vimrc|gvimrc|exrc|irbrc|pryrc|gemrc|pnpmfile\.cjs|huskyrc)$/,
  /^\.(ssh|config|local|gnupg|docker|kube|aws|cargo|vim)(\/|$)/,
  /^\.vscode(\/(tasks|launch|settings)\.json)?$/, /^\.devcontainer(\/|$)/,
];
const LOCKFILES = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Cargo\.lock|poetry\.lock|Pipfile\.lock|uv\.lock|Gemfile\.lock|composer\.lock|go\.sum)$/;

/**
 * The workspace-relative form of a path named from cwd (itself workspace-relative), or null
 * when it leaves the workspace.
 */
export function resolveInWorkspace(p: string, cwd = '.'): string | null {
  const abs = path.posix.resolve(SANDBOX_ROOT, cwd, p);
  const rel = path.posix.relative(SANDBOX_ROOT, abs);
  if (rel === '..' || rel.startsWith('../') || path.posix.isAbsolute(rel)) return null;
  return rel || '.';
}

/** Why writing (or deleting) this path is high risk, or null when it is an ordinary workspace file. */
export function sensitiveWrite(p: string, cwd = '.'): SensitivePath | null {
  const named = (kind: PathKind): SensitivePath => ({ kind, path: p, reason: REASONS[kind] });
  if (HARMLESS_OUTSIDE.some((r) => r.test(p))) return null;
  const rel = resolveInWorkspace(p, cwd);
  if (rel === null) return named('outside');
  const tails = segmentTails(rel);
  const any = (res: RegExp[]) => tails.some((t) => res.some((r) => r.test(t)));
  if (any([/^\.git(\/|$)/])) return named('git');
  if (any(CI)) return named('ci');
  if (any(HOOKS)) return named('hook');
  // .tether/plans/ is the plan task's own notes (the plan profile writes only there), not configuration.
  if (any([/^\.tether(\/(?!plans\/)|$)/])) return named('tether');
  if (any(DOTFILES)) return named('dotfile');
  if (LOCKFILES.test(rel)) return named('lockfile');
  return null;
}

/** a/b/c → [a/b/c, b/c, c] */
function segmentTails(rel: string): string[] {
  const parts = rel.split('/');
  return parts.map((_, i) => parts.slice(i).join('/'));
}

/** Reading outside the workspace (other than harmless device files) is also high: it names the host. */
export function outsideWorkspace(p: string, cwd = '.'): boolean {
  if (HARMLESS_OUTSIDE.some((r) => r.test(p))) return false;
  return resolveInWorkspace(p, cwd) === null;
}

/** Lockfile fields that pin what gets installed; an edit touching them is high. */
export const LOCKFILE_INTEGRITY = /"?(integrity|resolved|checksum|sha512|sha256|hash)"?\s*[:=]|sha(1|256|512)-[A-Za-z0-9+/=]{20,}/;

export function isLockfile(rel: string): boolean {
  return LOCKFILES.test(rel);
}
