// The workspace watcher runs in the workspace host (inside the sandbox, as the workspace uid).
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { WatchEvent, WorkspaceWatcher } from './files.ts';
import { tempProvider, uidBase } from './testing.ts';

const UID = uidBase();
let env: Awaited<ReturnType<typeof tempProvider>>;
let n = 0;
let root: string;
let watcher: WorkspaceWatcher;
let events: WatchEvent[];

const settle = () => new Promise((r) => setTimeout(r, 400));

beforeAll(async () => { env = await tempProvider(); });
afterAll(async () => env.cleanup());

beforeEach(async () => {
  n++;
  const ws = await env.provider.create({ id: `watch-${n}`, source: { kind: 'empty' }, networkAllowed: false, uid: UID + n });
  root = ws.files.root;
  await fs.mkdir(path.join(root, '.git'));
  await fs.writeFile(path.join(root, 'existing.txt'), '1');
  events = [];
  // Wide enough that a burst of 20 appends stays one burst on a loaded machine (at 30 ms a CI run
  // under load saw 6 batches), well inside settle()'s wait.
  watcher = await ws.files.watch((batch) => events.push(...batch), { debounceMs: 150 });
});
afterEach(async () => watcher.close());

it('reports creations, changes and deletions, including files in new directories', async () => {
  await fs.mkdir(path.join(root, 'a/b'), { recursive: true });
  await fs.writeFile(path.join(root, 'a/b/new.txt'), 'x');
  await fs.writeFile(path.join(root, 'existing.txt'), '2');
  await settle();
  expect(events).toEqual(expect.arrayContaining([
    { path: 'a', change: 'created', type: 'directory' },
    { path: 'a/b/new.txt', change: 'created', type: 'file' },
    { path: 'existing.txt', change: 'changed', type: 'file' },
  ]));
  events = [];
  await fs.rm(path.join(root, 'a'), { recursive: true });
  await fs.writeFile(path.join(root, 'later.txt'), 'y');
  await settle();
  expect(events).toEqual(expect.arrayContaining([
    { path: 'a', change: 'deleted', type: null },
    { path: 'later.txt', change: 'created', type: 'file' },
  ]));
});

it('debounces bursts and ignores .git and node_modules internals', async () => {
  for (let i = 0; i < 20; i++) await fs.appendFile(path.join(root, 'existing.txt'), 'x');
  await fs.writeFile(path.join(root, '.git', 'index'), 'x');
  await fs.mkdir(path.join(root, 'node_modules/pkg'), { recursive: true });
  await settle();
  await fs.writeFile(path.join(root, 'node_modules/pkg/index.js'), 'x');
  await settle();
  expect(events.filter((e) => e.path === 'existing.txt').length).toBeLessThanOrEqual(2);
  expect(events.some((e) => e.path.startsWith('.git/'))).toBe(false);
  expect(events.some((e) => e.path.startsWith('node_modules/'))).toBe(false);
  expect(events).toContainEqual({ path: 'node_modules', change: 'created', type: 'directory' });
});

it('does not walk symlinks out of the workspace', async () => {
  await fs.symlink('/etc', path.join(root, 'etc-link'));
  await settle();
  expect(events).toEqual([{ path: 'etc-link', change: 'created', type: 'symlink' }]);
});
