// Checkpoints of a workspace in a git repository of its own, kept OUTSIDE the workspace
// (<dataDir>/snapshots/<id>.git) with the workspace as its work tree: the workspace's own .git
// is excluded and never touched, and git's index makes a snapshot cost what changed. Files the
// workspace's .gitignore ignores (node_modules, build output) are not recorded. Git runs in
// the workspace sandbox as the workspace uid; the snapshot repository is bound in only then.
import fs from 'node:fs/promises';
import type { Launcher } from './launcher.ts';
import type { Snapshot } from './provider.ts';
import { runProcess } from './run-process.ts';

const GIT_DIR_MOUNT = '/tether-snapshots.git';
const SNAPSHOT_TIMEOUT_MS = 5 * 60_000;

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export class Snapshots {
  constructor(private readonly o: {
    gitDir: string; uid: number | null; launcher: Launcher; track: (kill: () => void) => () => void;
  }) {}

  private async git(script: string, args: string[]): Promise<string> {
    const bind = { source: this.o.gitDir, target: GIT_DIR_MOUNT, readOnly: false };
    const l = this.o.launcher;
    const launch = l.launch({
      command: ['/bin/sh', '-c', script, 'snapshot', ...args],
      env: {
        GIT_DIR: l.bindPath(bind), GIT_WORK_TREE: l.workspacePath,
        GIT_AUTHOR_NAME: 'Tether', GIT_AUTHOR_EMAIL: 'checkpoints@tether.local',
        GIT_COMMITTER_NAME: 'Tether', GIT_COMMITTER_EMAIL: 'checkpoints@tether.local',
      },
      interactive: false, network: false, extraBinds: [bind],
    });
    const r = await runProcess(launch.argv, { cwd: launch.cwd, env: launch.env, timeoutMs: SNAPSHOT_TIMEOUT_MS, track: this.o.track });
    if (r.exitCode !== 0) throw new SnapshotError(`Snapshot failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout.trim();
  }

  private async ensureRepo(): Promise<void> {
    const fresh = await fs.mkdir(this.o.gitDir, { mode: 0o700 }).then(() => true, (e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') return false;
      throw e;
    });
    if (!fresh) return;
    if (this.o.uid !== null) await fs.chown(this.o.gitDir, this.o.uid, this.o.uid);
    await this.git(
      'git init -q && git config core.autocrlf false && git config gc.auto 0 && mkdir -p "$GIT_DIR/info" && printf "/.git\\n" > "$GIT_DIR/info/exclude"',
      [],
    );
  }

  async snapshot(label: string): Promise<Snapshot> {
    await this.ensureRepo();
    const id = await this.git('git add -A . && git commit -q --allow-empty --no-verify -m "$1" && git rev-parse HEAD', [label || 'checkpoint']);
    return { id, createdAt: new Date().toISOString(), label };
  }

  async restore(snapshotId: string): Promise<void> {
    if (!/^[0-9a-f]{40}$/.test(snapshotId)) throw new SnapshotError(`Unknown snapshot: ${snapshotId}`);
    await this.ensureRepo();
    // read-tree keeps HEAD where it is, so snapshots taken after this one stay reachable;
    // clean removes files created since, leaving ignored files (and .git) alone.
    await this.git('git cat-file -e "$1^{commit}" && git read-tree -u --reset "$1" && git clean -fdq', [snapshotId]);
  }
}
