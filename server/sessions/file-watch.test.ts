// File-change notifications per session, on a real sandboxed workspace: one watch shared by
// every follower, and watching resumes by itself after the workspace host dies.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Workspace } from '../workspace/provider.ts';
import { silentLog, tempProvider, uidBase } from '../workspace/testing.ts';
import { pidsOfUid } from '../workspace/uid-processes.ts';
import { FileWatchService } from './file-watch.ts';

const UID = uidBase() + 7;
let env: Awaited<ReturnType<typeof tempProvider>>;
let ws: Workspace;

beforeAll(async () => {
  env = await tempProvider();
  ws = await env.provider.create({ id: 'fw', source: { kind: 'empty' }, networkAllowed: false, uid: UID });
});
afterAll(async () => env.cleanup());

it('watches again after the workspace host died, and stops when the last follower leaves', async () => {
  const service = new FileWatchService(silentLog);
  const seen: string[] = [];
  service.onChange((sessionId, paths) => seen.push(...paths.map((p) => `${sessionId}:${p}`)));
  const releaseA = service.retain('s1', ws.files);
  const releaseB = service.retain('s1', ws.files);
  const touch = (name: string) => fs.writeFile(path.join(ws.files.root, name), 'x');

  await expect.poll(async () => { await touch('one.txt'); return seen; }, { timeout: 10_000 }).toContain('s1:one.txt');

  // The host dies (every process of the workspace uid is the host here).
  for (const pid of await pidsOfUid(UID)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone with its sandbox's pid namespace */ }
  }
  await expect.poll(async () => { await touch('two.txt'); return seen; }, { timeout: 15_000, interval: 300 }).toContain('s1:two.txt');

  releaseA();
  releaseB();
  await new Promise((r) => setTimeout(r, 300));
  seen.length = 0;
  await touch('three.txt');
  await new Promise((r) => setTimeout(r, 500));
  expect(seen).toEqual([]);
}, 40_000);

it('stops watching, and retrying, once the session stops', async () => {
  const service = new FileWatchService(silentLog);
  const seen: string[] = [];
  service.onChange((sessionId, paths) => seen.push(...paths.map((p) => `${sessionId}:${p}`)));
  const release = service.retain('s2', ws.files);
  const touch = (name: string) => fs.writeFile(path.join(ws.files.root, name), 'x');
  await expect.poll(async () => { await touch('four.txt'); return seen; }, { timeout: 10_000 }).toContain('s2:four.txt');

  service.closeSession('s2');
  // The host dying now must not start a new watch (which would restart the host of a closed workspace).
  for (const pid of await pidsOfUid(UID)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* closeSession's own kill got there first */ }
  }
  await new Promise((r) => setTimeout(r, 1500));
  seen.length = 0;
  await touch('five.txt');
  await new Promise((r) => setTimeout(r, 500));
  expect(seen).toEqual([]);
  expect(await pidsOfUid(UID)).toEqual([]);
  release(); // a follower leaving afterwards is harmless
});
