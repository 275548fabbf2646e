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
  /**
   * `sh -c script snapshot …args` with `env` added to GIT_DIR and GIT_WORK_TREE; readOnly: the
   * repository need not be writable; maxOutputBytes: stdout kept (the runner's default otherwise).
   */
  run(script: string, args: string[], env: Record<string, string>, readOnly: boolean, maxOutputBytes?: number): Promise<ExecResult>;
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
    run(script, args, env, readOnly, maxOutputBytes) {
      const bind = { source: o.gitDir, target: GIT_DIR_MOUNT, readOnly };
      const l = o.launcher;
      const launch = l.launch({
        command: ['/bin/sh', '-c', script, 'snapshot', ...args],
        env: { ...env, GIT_DIR: l.bindPath(bind), GIT_WORK_TREE: l.workspacePath },
        interactive: false, network: false, extraBinds: [bind],
      });
      return runProcess(launch.argv, { cwd: launch.cwd, env: launch.env, timeoutMs: SNAPSHOT_TIMEOUT_MS, track: o.track, maxOutputBytes });
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

  private run(script: string, args: string[], readOnly = false, maxOutputBytes?: number) {
    return this.runner.run(script, args, GIT_ENV, readOnly, maxOutputBytes);
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

  /**
   * The file paths each checkpoint recorded (what a reviewer's file tree shows as of then), all in
   * one sandboxed call: starting it costs more than git's work. A checkpoint whose listing did not
   * fit in the output is left out of the map (read it alone).
   */
  async files(snapshotIds: string[]): Promise<Map<string, string[]>> {
    snapshotIds.forEach(checkId);
    await this.ensureRepo();
    const r = await this.run(LIST_SCRIPT, snapshotIds, true, BATCH_OUTPUT_BYTES);
    if (r.exitCode !== 0) throw new SnapshotError(`Snapshot failed: ${r.stderr.trim() || r.stdout.trim()}`);
    // Every listing ends its line; what follows the last line break is empty, or cut short.
    const lines = r.stdout.split('\n').slice(0, -1);
    return new Map(lines.map((line, i) => [snapshotIds[i]!, Buffer.from(line, 'base64').toString('utf8').split('\0').filter(Boolean)]));
  }

  /**
   * One file's text as each checkpoint recorded it (null: it did not exist then), in one sandboxed
   * call. The first checkpoint's is always read; others' only up to `maxOthersBytes` each (a
   * reviewer scrubbing reads them next), and those left out are absent from the map.
   */
  async readFile(snapshotIds: string[], filePath: string, maxOthersBytes = 0): Promise<Map<string, string | null>> {
    snapshotIds.forEach(checkId);
    // git's batch protocol is one request per line.
    if (/[\n\r]/.test(filePath)) throw new SnapshotError('Snapshot failed: a path with a line break cannot be read from a checkpoint');
    await this.ensureRepo();
    const r = await this.run(READ_SCRIPT, [filePath, String(maxOthersBytes), ...snapshotIds], true, BATCH_OUTPUT_BYTES);
    if (r.exitCode !== 0) throw new SnapshotError(`Snapshot failed: ${r.stderr.trim() || r.stdout.trim()}`);
    const [checks = '', encoded = ''] = r.stdout.split('\n--\n');
    const objects = Buffer.from(encoded.trim(), 'base64');
    const out = new Map<string, string | null>();
    let at = 0;
    checks.split('\n').slice(0, snapshotIds.length).forEach((line, i) => {
      const [, type, size] = line.split(' ');
      const id = snapshotIds[i]!;
      if (type !== 'blob') { out.set(id, null); return; }
      if (i > 0 && Number(size) > maxOthersBytes) return;
      // `<sha> blob <size>\n<content>\n`, in request order.
      const header = objects.indexOf(0x0a, at);
      if (header < 0) return;
      const start = header + 1;
      const end = start + Number(objects.subarray(at, header).toString().split(' ')[2]);
      if (end > objects.length) return;
      out.set(id, objects.subarray(start, end).toString('utf8'));
      at = end + 1;
    });
    if (r.truncated && !out.has(snapshotIds[0]!)) throw new SnapshotError('Snapshot failed: the file is too large to read from a checkpoint');
    return out;
  }

  async restore(snapshotId: string): Promise<void> {
    checkId(snapshotId);
    await this.ensureRepo();
    await this.git(RESTORE_SCRIPT, [snapshotId]);
  }
}

/** Room for a batch of checkpoint reads (listings or file versions), base64 included. */
const BATCH_OUTPUT_BYTES = 32 * 1024 * 1024;

/** $@: checkpoint ids. One line per id: its `ls-tree -z` listing, base64. */
const LIST_SCRIPT = `for id; do
  git cat-file -e "$id^{commit}" || exit 4
  git ls-tree -r -z --name-only "$id" | base64 -w0; echo
done`;

/**
 * $1: path, $2: most bytes of a version other than the first's, then checkpoint ids. Prints one
 * batch-check line per id (`<object> <type> <size>` or `<id>:<path> missing`), `--`, then the
 * chosen blobs as `git cat-file --batch` prints them, base64: one git for all of them.
 */
const READ_SCRIPT = `set -e
p=$1; max=$2; shift 2
checks=$(for id; do printf '%s:%s\\n' "$id" "$p"; done | git cat-file --batch-check='%(objectname) %(objecttype) %(objectsize)')
printf '%s\\n--\\n' "$checks"
n=0
printf '%s\\n' "$checks" | while read -r obj type size; do
  n=$((n + 1))
  if [ "$type" = blob ] && { [ $n = 1 ] || [ "$size" -le "$max" ]; }; then echo "$obj"; fi
done | git cat-file --batch | base64 -w0
echo`;

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
