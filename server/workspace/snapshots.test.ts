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
  expect((await snapshots.files([cp.id])).get(cp.id)).toEqual(['.gitconfig', 'hooks/post-commit']);
  await expect(fs.access(marker)).rejects.toThrow(/ENOENT/);
});

it('reads many checkpoints in one call: each one\'s paths, and one file\'s versions up to a size for all but the first', async () => {
  const files = path.join(dir, 'files');
  const snapshots = new Snapshots(sandboxSnapshotRunner({
    gitDir: path.join(dir, 'checkpoints.git'), uid: null, launcher: unconfinedLauncher({ workspaceDir: files }), track: () => () => {},
  }));
  const name = 'notes with spaces.txt';
  const ids: string[] = [];
  for (const content of ['first\n', null, 'thïrd\nlines\n', 'x'.repeat(5000)]) {
    if (content === null) await fs.rm(path.join(files, name));
    else await fs.writeFile(path.join(files, name), content);
    ids.push((await snapshots.snapshot(`v${ids.length}`)).id);
  }
  await fs.mkdir(path.join(files, 'dir'));
  await fs.writeFile(path.join(files, 'dir', 'inner'), '');
  ids.push((await snapshots.snapshot('with a dir')).id);

  expect(await snapshots.files(ids)).toEqual(new Map([
    [ids[0], [name]], [ids[1], []], [ids[2], [name]], [ids[3], [name]], [ids[4], ['dir/inner', name]],
  ]));
  // The 5,000-byte versions are left out for the others, and read when one comes first.
  expect(await snapshots.readFile(ids, name, 1000)).toEqual(new Map([[ids[0], 'first\n'], [ids[1], null], [ids[2], 'thïrd\nlines\n']]));
  expect((await snapshots.readFile([ids[3]!, ids[0]!], name, 1000))).toEqual(new Map([[ids[3], 'x'.repeat(5000)], [ids[0], 'first\n']]));
  // A directory is not a file, and a path that never existed reads as absent.
  expect(await snapshots.readFile([ids[4]!, ids[0]!], 'dir')).toEqual(new Map([[ids[4], null], [ids[0], null]]));
  await expect(snapshots.readFile([ids[0]!], 'a\nb')).rejects.toThrow(/line break/);
});
