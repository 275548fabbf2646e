// Checkpoints of a workspace in a git repository of its own, kept OUTSIDE the workspace
// (<dataDir>/snapshots/<id>.git) with the workspace as its work tree: the workspace's own .git
// is excluded from the tree and git's index makes a snapshot cost what changed. Files the
// workspace's .gitignore ignores (node_modules, build output) are not recorded. Git runs in
// the workspace sandbox as the workspace uid; the snapshot repository is bound in only then.
//
// The workspace's own repository is preserved beside the tree, since an agent step can delete
// or rewrite it (unpushed commits would be gone for good): when its refs, HEAD or config
// changed since the last checkpoint, its refs are fetched into refs/workspace-repo/<state>/ —
// git copies only objects the snapshot repository lacks — with HEAD and config as blobs, and
// the checkpoint commit names the state in a "Workspace-Repo:" trailer. Restore puts back the
// refs (deleting ones made since), HEAD, config and the objects; the index is reset to HEAD.
// Git on the workspace repository runs with everything its config could execute turned off.
// Everything reachable is kept, remote-tracking refs included, so a restore needs no network.
import fs from 'node:fs/promises';
import type { Launcher } from './launcher.ts';
import type { ExecResult, Snapshot } from './provider.ts';
import { runProcess } from './run-process.ts';

/** Where git finds the snapshot repository while a script runs (bound there, or mounted there in a pod). */
export const GIT_DIR_MOUNT = '/tether-snapshots.git';
export const SNAPSHOT_TIMEOUT_MS = 5 * 60_000;

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/**
 * Where the scripts run: somewhere the workspace is GIT_WORK_TREE and the snapshot repository is
 * GIT_DIR, while the workspace's own processes cannot reach that repository.
 */
export interface SnapshotRunner {
  /** Makes the repository's place when it is missing; true when it is new (git init follows). */
  prepare(): Promise<boolean>;
  /** `sh -c script snapshot …args` with `env` added to GIT_DIR and GIT_WORK_TREE; readOnly: the repository need not be writable. */
  run(script: string, args: string[], env: Record<string, string>, readOnly: boolean): Promise<ExecResult>;
}

/**
 * The local provider's runner: the workspace sandbox, with the repository (a directory beside the
 * workspace, outside it) bound in for this one call only.
 */
export function sandboxSnapshotRunner(o: {
  gitDir: string; uid: number | null; launcher: Launcher; track: (kill: () => void) => () => void;
}): SnapshotRunner {
  return {
    async prepare() {
      const fresh = await fs.mkdir(o.gitDir, { mode: 0o700 }).then(() => true, (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return false;
        throw e;
      });
      if (fresh && o.uid !== null) await fs.chown(o.gitDir, o.uid, o.uid);
      return fresh;
    },
    run(script, args, env, readOnly) {
      const bind = { source: o.gitDir, target: GIT_DIR_MOUNT, readOnly };
      const l = o.launcher;
      const launch = l.launch({
        command: ['/bin/sh', '-c', script, 'snapshot', ...args],
        env: { ...env, GIT_DIR: l.bindPath(bind), GIT_WORK_TREE: l.workspacePath },
        interactive: false, network: false, extraBinds: [bind],
      });
      return runProcess(launch.argv, { cwd: launch.cwd, env: launch.env, timeoutMs: SNAPSHOT_TIMEOUT_MS, track: o.track });
    },
  };
}

/**
 * Git's identity for checkpoint commits, and no global or system config: HOME is the workspace,
 * whose ~/.gitconfig its processes write, and a hook or fsmonitor named there would run while the
 * snapshot repository is writable.
 */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Tether', GIT_AUTHOR_EMAIL: 'checkpoints@tether.local',
  GIT_COMMITTER_NAME: 'Tether', GIT_COMMITTER_EMAIL: 'checkpoints@tether.local',
  GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1',
};

export class Snapshots {
  constructor(private readonly runner: SnapshotRunner) {}

  private run(script: string, args: string[], readOnly = false) {
    return this.runner.run(script, args, GIT_ENV, readOnly);
  }

  private async git(script: string, args: string[], raw = false, readOnly = false): Promise<string> {
    const r = await this.run(script, args, readOnly);
    if (r.exitCode !== 0) throw new SnapshotError(`Snapshot failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return raw ? r.stdout : r.stdout.trim();
  }

  private async ensureRepo(): Promise<void> {
    if (!(await this.runner.prepare())) return;
    await this.git(
      'git init -q && git config core.autocrlf false && git config gc.auto 0 && mkdir -p "$GIT_DIR/info" && printf "/.git\\n" > "$GIT_DIR/info/exclude"',
      [],
    );
  }

  async snapshot(label: string): Promise<Snapshot> {
    await this.ensureRepo();
    const id = await this.git(SNAPSHOT_SCRIPT, [label || 'checkpoint']);
    return { id, createdAt: new Date().toISOString(), label };
  }

  /** The file paths a checkpoint recorded (what a reviewer's file tree shows as of that moment). */
  async files(snapshotId: string): Promise<string[]> {
    checkId(snapshotId);
    await this.ensureRepo();
    const out = await this.git('git ls-tree -r -z --name-only "$1"', [snapshotId], true, true);
    return out.split('\0').filter(Boolean);
  }

  /** One file's text as a checkpoint recorded it; null when it did not exist then. */
  async readFile(snapshotId: string, filePath: string): Promise<string | null> {
    checkId(snapshotId);
    await this.ensureRepo();
    // Exit 3: no such path in that checkpoint, told apart from git failing.
    const r = await this.run('git cat-file -e "$1:$2" 2>/dev/null || exit 3; exec git cat-file blob "$1:$2"', [snapshotId, filePath], true);
    if (r.exitCode === 3) return null;
    if (r.exitCode !== 0) throw new SnapshotError(`Snapshot failed: ${r.stderr.trim()}`);
    return r.stdout;
  }

  async restore(snapshotId: string): Promise<void> {
    checkId(snapshotId);
    await this.ensureRepo();
    await this.git(RESTORE_SCRIPT, [snapshotId]);
  }
}

function checkId(snapshotId: string): void {
  if (!/^[0-9a-f]{40}$/.test(snapshotId)) throw new SnapshotError(`Unknown snapshot: ${snapshotId}`);
}

/**
 * Shell helpers shared by both scripts: `ws` is git on the workspace repository, with the
 * snapshot repository's variables unset. That repository's config and hooks are the workspace's
 * to write, and the snapshot repository is writable while these scripts run: so nothing its
 * config could make git execute may run — no hooks, fsmonitor, alternate-refs command or auto
 * gc, and no command that touches the work tree (clean/smudge filters).
 */
const WORKSPACE_REPO = `set -e
W="$GIT_WORK_TREE/.git"
ws() {
  env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE git --git-dir="$W" -c core.hooksPath=/dev/null -c core.fsmonitor=false \\
    -c core.alternateRefsCommand=true -c gc.auto=0 -c maintenance.auto=false "$@"
}
has_repo() { [ -d "$W" ] && ws rev-parse --is-bare-repository >/dev/null 2>&1; }
`;

/** $1: label. Prints the checkpoint commit's id. */
const SNAPSHOT_SCRIPT = `${WORKSPACE_REPO}
repo=none
if has_repo; then
  repo=$({ ws for-each-ref --format='%(objectname) %(refname)'; ws rev-parse -q --verify HEAD || :; cat "$W/HEAD" "$W/config"; } | git hash-object --stdin)
  ns="refs/workspace-repo/$repo"
  if ! git rev-parse -q --verify "$ns/meta/HEAD" >/dev/null; then
    git fetch -q --no-tags --no-write-fetch-head --update-shallow "$W" "+refs/*:$ns/refs/*"
    if head=$(ws rev-parse -q --verify 'HEAD^{commit}'); then git fetch -q --no-tags --no-write-fetch-head --update-shallow "$W" "+$head:$ns/head"; fi
    git update-ref "$ns/meta/config" "$(git hash-object -w "$W/config")"
    git update-ref "$ns/meta/HEAD" "$(git hash-object -w "$W/HEAD")"
  fi
fi
git add -A .
git commit -q --allow-empty --no-verify -m "$1" -m "Workspace-Repo: $repo"
git rev-parse HEAD
`;

/**
 * $1: checkpoint id. read-tree keeps the snapshot repository's HEAD where it is, so checkpoints
 * taken after this one stay reachable; clean removes files created since, leaving ignored files
 * (and .git) alone. Then the workspace repository as it was, if the checkpoint recorded one
 * (a checkpoint taken without one leaves today's repository alone rather than delete it).
 */
const RESTORE_SCRIPT = `${WORKSPACE_REPO}
git cat-file -e "$1^{commit}"
git read-tree -u --reset "$1"
git clean -fdq
repo=$(git log -1 --format=%B "$1" | sed -n 's/^Workspace-Repo: //p')
case "$repo" in ''|none) exit 0 ;; esac
ns="refs/workspace-repo/$repo"
git rev-parse -q --verify "$ns/meta/HEAD" >/dev/null || { echo "the checkpoint's copy of the workspace's git repository is missing" >&2; exit 1; }
if ! has_repo; then
  rm -rf "$W"
  env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE git init -q "$GIT_WORK_TREE"
fi
ws fetch -q --no-tags --no-write-fetch-head --update-head-ok --update-shallow --prune "$GIT_DIR" "+$ns/refs/*:refs/*"
if git rev-parse -q --verify "$ns/head" >/dev/null; then ws fetch -q --no-tags --no-write-fetch-head --update-shallow "$GIT_DIR" "$ns/head"; fi
git cat-file blob "$ns/meta/config" > "$W/config"
git cat-file blob "$ns/meta/HEAD" > "$W/HEAD"
if ws rev-parse -q --verify HEAD >/dev/null; then ws read-tree HEAD; fi
`;
