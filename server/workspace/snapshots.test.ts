// Checkpoint git must not take orders from the workspace: its HOME is the workspace (the sandbox
// sets HOME there), so a ~/.gitconfig its processes write would otherwise name hooks that run while
// the snapshot repository is writable. Run through the unconfined launcher (no bubblewrap needed).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { unconfinedLauncher } from './launcher.ts';
import { sandboxSnapshotRunner, Snapshots } from './snapshots.ts';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-snapshots-test-'));
  await fs.mkdir(path.join(dir, 'files'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

it('runs no hook that the workspace\'s own ~/.gitconfig names', async () => {
  const files = path.join(dir, 'files');
  const marker = path.join(dir, 'hook-ran');
  await fs.mkdir(path.join(files, 'hooks'));
  await fs.writeFile(path.join(files, '.gitconfig'), `[core]\n\thooksPath = ${files}/hooks\n`);
  await fs.writeFile(path.join(files, 'hooks', 'post-commit'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
  const snapshots = new Snapshots(sandboxSnapshotRunner({
    gitDir: path.join(dir, 'checkpoints.git'), uid: null, launcher: unconfinedLauncher({ workspaceDir: files }), track: () => () => {},
  }));
  const cp = await snapshots.snapshot('x');
  expect(await snapshots.files(cp.id)).toEqual(['.gitconfig', 'hooks/post-commit']);
  await expect(fs.access(marker)).rejects.toThrow(/ENOENT/);
});
