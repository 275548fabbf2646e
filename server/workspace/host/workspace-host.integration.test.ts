// The workspace host's life: where it runs and as whom, what callers see when it dies, that it
// comes back on the next request, and that its owner ends it with the workspace.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFileService, FileError } from '../files.ts';
import { unconfinedLauncher } from '../launcher.ts';
import type { Workspace } from '../provider.ts';
import { silentLog, tempProvider, uidBase } from '../testing.ts';
import { pidsOfUid } from '../uid-processes.ts';
import { createHostPlace, hostPlace, hostSocket, prepareHostRuntime, type HostPlace } from './host-place.ts';
import { WorkspaceHost, WorkspaceHostError } from './workspace-host.ts';

const UID = uidBase() + 1;
let env: Awaited<ReturnType<typeof tempProvider>>;
let ws: Workspace;

/** The host's node process (not the bwrap above it, whose arguments name the same program). */
async function hostPid(uid: number): Promise<number | null> {
  for (const pid of await pidsOfUid(uid)) {
    const argv = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv[0] === process.execPath && argv.some((a) => a.endsWith('/program.mjs'))) return pid;
  }
  return null;
}

/** Whether a host listens on the place's socket. */
function hostListening(place: HostPlace): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(hostSocket(place));
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  env = await tempProvider();
  ws = await env.provider.create({ id: 'host', source: { kind: 'empty' }, networkAllowed: false, uid: UID });
});
afterAll(async () => env.cleanup());

it('runs as the workspace uid, in its own mount and pid namespaces, with no capabilities', async () => {
  await ws.files.list('');
  const pid = await hostPid(UID);
  expect(pid).not.toBeNull();
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  expect(status).toMatch(new RegExp(`^Uid:\\s+${UID}\\s+${UID}\\s+${UID}\\s+${UID}$`, 'm'));
  expect(status).toMatch(/^CapEff:\s+0+$/m);
  expect(await fs.readlink(`/proc/${pid}/ns/mnt`)).not.toBe(await fs.readlink('/proc/self/ns/mnt'));
  expect(await fs.readlink(`/proc/${pid}/ns/pid`)).not.toBe(await fs.readlink('/proc/self/ns/pid'));
  // One host serves every request: a second call starts nothing new.
  await ws.files.stat('');
  expect(await hostPid(UID)).toBe(pid);
});

it('keeps its threads few, and its thread pool setting out of the shells it starts', async () => {
  await ws.files.list('');
  const pid = await hostPid(UID);
  // Node's defaults give a process 11 threads; every thread on the host is a task each sandbox
  // start's pivot_root walks. One V8 helper and two file-system threads: 6, and one per terminal.
  await ws.files.write('probe.txt', 'x');
  expect((await fs.readdir(`/proc/${pid}/task`)).length).toBeLessThanOrEqual(6);
  let out = '';
  let exited = () => {};
  const done = new Promise<void>((resolve) => { exited = resolve; });
  await ws.openPty({ id: randomUUID(), cols: 80, rows: 24, command: ['/bin/sh', '-c', 'echo "pool=[$UV_THREADPOOL_SIZE] home=[$HOME]"'] }, {
    onData: (c) => { out += c.data; }, onExit: () => exited(), onLost: () => exited(),
  });
  await done;
  expect(out).toMatch(/pool=\[\] home=\[\/workspace\]/);
});

it('tells callers in words when the host dies, and starts a new one on the next request', async () => {
  await ws.files.write('kept.txt', 'still here');
  const pid = await hostPid(UID);
  process.kill(pid!, 'SIGKILL');
  // Sent before the server has seen the exit: it reaches a dead host.
  const lost = await ws.files.list('').then(() => null, (e: unknown) => e);
  expect(lost).toBeInstanceOf(WorkspaceHostError);
  expect((lost as Error).message).toMatch(/The workspace host stopped .*restarts on the next request/);
  const r = await ws.files.read('kept.txt');
  expect(r.kind === 'text' && r.content).toBe('still here');
  const again = await hostPid(UID);
  expect(again).not.toBeNull();
  expect(again).not.toBe(pid);
});

it('ends with the workspace (killAll) and is restarted on demand', async () => {
  await ws.files.list('');
  await ws.killAll();
  expect(await pidsOfUid(UID)).toEqual([]);
  expect((await ws.files.list('')).map((e) => e.name)).toContain('kept.txt');
});

it('ends open watches when it dies', async () => {
  let ended: string | null = null;
  await ws.files.watch(() => {}, { onEnd: (reason) => { ended = reason; } });
  process.kill((await hostPid(UID))!, 'SIGKILL');
  await expect.poll(() => ended, { timeout: 10_000 }).toMatch(/The workspace host stopped/);
});

it('is not restarted for a workspace that was destroyed', async () => {
  const gone = await env.provider.create({ id: 'gone', source: { kind: 'empty' }, networkAllowed: false, uid: UID + 1 });
  await gone.files.list('');
  await env.provider.destroy('gone');
  await expect(gone.files.list('')).rejects.toThrow(/The workspace is closed/);
  expect(await pidsOfUid(UID + 1)).toEqual([]);
});

it('runs the same host unconfined, as the server user in the workspace directory (TETHER_UNSAFE_NO_SANDBOX)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-unconfined-'));
  const state = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-unconfined-state-'));
  const place = hostPlace(state, await prepareHostRuntime(state), 'unconfined');
  await createHostPlace(place, null);
  const host = new WorkspaceHost({ launcher: unconfinedLauncher({ workspaceDir: dir }), place, network: false, log: silentLog, idleMs: 300 });
  const running = { get size() { return hostListening(place).then((up) => (up ? 1 : 0)); } };
  try {
    const files = createFileService({ root: dir, host });
    await files.createDir('src');
    await files.write('src/a.txt', 'unconfined');
    expect(await fs.readFile(path.join(dir, 'src/a.txt'), 'utf8')).toBe('unconfined');
    expect((await fs.stat(path.join(dir, 'src/a.txt'))).uid).toBe(process.getuid!());
    await fs.symlink('/etc', path.join(dir, 'etc'));
    const e = await files.read('etc/hostname').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FileError);
    expect((e as FileError).code).toBe('OUTSIDE_WORKSPACE');
    expect(await running.size).toBe(1);
    // Idle: it exits by itself, and the next request brings it back.
    await expect.poll(() => running.size, { timeout: 10_000 }).toBe(0);
    expect((await files.list('')).map((e) => e.name)).toEqual(['src', 'etc']);
    // An open watch keeps it alive.
    const watcher = await files.watch(() => {});
    await new Promise((r) => setTimeout(r, 800));
    expect(await running.size).toBe(1);
    await watcher.close();
    await expect.poll(() => running.size, { timeout: 10_000 }).toBe(0);
  } finally {
    host.dispose();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(state, { recursive: true, force: true });
  }
  await expect(host.call('ping', {})).rejects.toThrow(/closed/);
});
