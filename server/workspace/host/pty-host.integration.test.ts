// Terminals live in the workspace host, which outlives the server: a new server process (here a
// new provider on the same data dir, after the old one shut down as on SIGTERM) finds the pty
// still running, replays its scrollback from the host's ring buffer, and types into it again.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocalProvider, type LocalProvider } from '../local-provider.ts';
import type { PtyChunk, PtyEvents, SandboxPty, Workspace, WorkspaceSpec } from '../provider.ts';
import { silentLog, tempProvider, TEST_LIMITS, uidBase } from '../testing.ts';
import { pidsOfUid } from '../uid-processes.ts';
import { hostPlace, killHost } from './host-place.ts';

const UID = uidBase() + 3;
const spec: WorkspaceSpec = { id: 'pty-host', source: { kind: 'empty' }, networkAllowed: false, uid: UID };
let env: Awaited<ReturnType<typeof tempProvider>>;

beforeAll(async () => {
  env = await tempProvider();
  await env.provider.create(spec);
});
afterAll(async () => env.cleanup());

/** Collects what a pty reports. */
function recorder() {
  const chunks: PtyChunk[] = [];
  const state = { text: '', exit: null as number | null, lost: null as string | null };
  const events: PtyEvents = {
    onData: (c) => { chunks.push(c); state.text += c.data; },
    onExit: (e) => { state.exit = e.exitCode; },
    onLost: (reason) => { state.lost = reason; },
  };
  return { chunks, state, events };
}

/** A second server process: a new provider over the same storage. */
async function restartedProvider(): Promise<LocalProvider> {
  return createLocalProvider({ dataDir: env.dataDir, unsafeNoSandbox: false, limits: TEST_LIMITS, log: silentLog });
}

it('keeps a terminal across a server restart, with its scrollback, and takes input again', async () => {
  let ws: Workspace = await env.provider.open(spec);
  const id = randomUUID();
  const first = recorder();
  const { pty } = await ws.openPty({ id, cols: 80, rows: 24 }, first.events);
  // Its socket: only the workspace uid (and root) may connect.
  const [hostDir] = await fs.readdir(`${env.provider.storageDir}/hosts`);
  const socket = await fs.stat(`${env.provider.storageDir}/hosts/${hostDir}/run/h.sock`);
  expect([socket.isSocket(), socket.mode & 0o777, socket.uid]).toEqual([true, 0o600, UID]);
  pty.write('echo before-$((6*7))\r');
  await expect.poll(() => first.state.text, { timeout: 10_000 }).toContain('before-42');
  // Offsets are contiguous bytes of output.
  for (let i = 1; i < first.chunks.length; i++) expect(first.chunks[i]!.start).toBe(first.chunks[i - 1]!.end);

  // The server shuts down as on SIGTERM: the host has a terminal, so it keeps running.
  await env.provider.shutdown();
  expect(first.state.lost).toBeNull();
  expect((await pidsOfUid(UID)).length).toBeGreaterThan(0);
  // Output made while no server is connected goes into the ring buffer.
  const provider = await restartedProvider();
  try {
    ws = await provider.open(spec);
    const listed = await ws.ptys();
    expect(listed.map((p) => p.id)).toEqual([id]);
    expect(listed[0]!.exit).toBeNull();
    const second = recorder();
    const adopted = ws.adoptPty(id, second.events)!;
    const replay = await new Promise<string>((resolve, reject) => adopted.replay(null, (err, s) => (err ? reject(err) : resolve(s!.data.toString('utf8')))));
    expect(replay).toContain('before-42');
    adopted.write('echo after-$((7*6))\r');
    await expect.poll(() => second.state.text, { timeout: 10_000 }).toContain('after-42');
    // Resuming from an offset gives exactly what came after it.
    const end = first.chunks.at(-1)!.end;
    const since = await new Promise<string>((resolve, reject) => adopted.replay(end, (err, s) => (err ? reject(err) : resolve(s!.data.toString('utf8')))));
    expect(since).not.toContain('before-42');
    expect(since).toContain('after-42');
    adopted.write('exit 3\r');
    await expect.poll(() => second.state.exit, { timeout: 10_000 }).toBe(3);
    adopted.kill();
    // Stop session still ends everything.
    await ws.close();
    await expect.poll(() => pidsOfUid(UID), { timeout: 10_000 }).toEqual([]);
  } finally {
    await provider.shutdown();
  }
});

it('lets the host exit with the server when it has no terminal', async () => {
  const ws = await env.provider.open(spec);
  await ws.files.list('');
  expect((await pidsOfUid(UID)).length).toBeGreaterThan(0);
  await env.provider.shutdown();
  await expect.poll(() => pidsOfUid(UID), { timeout: 10_000 }).toEqual([]);
});

it('says a terminal is gone when its host was killed', async () => {
  const provider = await restartedProvider();
  try {
    const ws = await provider.open(spec);
    const r = recorder();
    await ws.openPty({ id: randomUUID(), cols: 80, rows: 24 }, r.events);
    await ws.killAll();
    await expect.poll(() => r.state.lost, { timeout: 10_000 }).toMatch(/workspace host/);
    expect(await ws.ptys()).toEqual([]);
  } finally {
    await provider.shutdown();
  }
});

it('kills a host whole, its sandbox\'s processes included (bwrap does not take them along)', async () => {
  const provider = await restartedProvider();
  try {
    const ws = await provider.open(spec);
    const r = recorder();
    await ws.openPty({ id: randomUUID(), cols: 80, rows: 24, command: ['/bin/sh', '-c', 'sleep 1000 & exec sleep 1001'] }, r.events);
    expect((await pidsOfUid(UID)).length).toBeGreaterThan(2);
    await killHost(hostPlace(provider.storageDir, '', spec.id));
    await expect.poll(() => pidsOfUid(UID), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => r.state.lost, { timeout: 10_000 }).toMatch(/workspace host/);
    // A pid file that names another process (its host long gone, the pid reused) is not believed.
    await fs.writeFile(path.join(hostPlace(provider.storageDir, '', spec.id).dir, 'pid'), String(process.pid));
    await killHost(hostPlace(provider.storageDir, '', spec.id));
  } finally {
    await provider.shutdown();
  }
});

it('replaces a host started under the other network setting, so new terminals get the current one', async () => {
  const provider = await restartedProvider();
  try {
    const offline = await provider.open(spec);
    const r = recorder();
    await offline.openPty({ id: randomUUID(), cols: 80, rows: 24 }, r.events);
    // An admin turns the workspace's network on: the workspace is opened again with it.
    const online = await provider.open({ ...spec, networkAllowed: true });
    const proxy = recorder();
    await online.openPty({ id: randomUUID(), cols: 80, rows: 24, command: ['/bin/sh', '-c', 'echo "proxy=$HTTPS_PROXY"; sleep 5'] }, proxy.events);
    await expect.poll(() => proxy.state.text, { timeout: 10_000 }).toContain('proxy=http://127.0.0.1:3128');
    await expect.poll(() => r.state.lost, { timeout: 10_000 }).toMatch(/network access changed|workspace host/);
    await online.close();
  } finally {
    await provider.shutdown();
  }
});

it('pauses a flooding pty while its output is not acknowledged, and stops at once on Ctrl+C', async () => {
  const provider = await restartedProvider();
  try {
    const ws = await provider.open(spec);
    const r = recorder();
    const highWatermark = 100_000;
    let received = 0;
    let lastAt = 0;
    let acking = false;
    let pty: SandboxPty | null = null;
    const events: PtyEvents = {
      ...r.events,
      onData: (c) => {
        received += c.data.length;
        lastAt = performance.now();
        if (acking) pty?.ack(c.data.length);
      },
    };
    ({ pty } = await ws.openPty({
      id: randomUUID(), cols: 80, rows: 24, command: ['/bin/bash', '-c', 'trap "echo; echo INTERRUPTED; exit 130" INT; while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done'],
      flow: { highWatermark, lowWatermark: 50_000 },
    }, events));
    // Nobody acknowledges: the host pauses the pty just past the high watermark.
    await expect.poll(() => received, { timeout: 10_000 }).toBeGreaterThan(highWatermark);
    await new Promise((res) => setTimeout(res, 500));
    const paused = received;
    await new Promise((res) => setTimeout(res, 500));
    expect(received).toBe(paused);
    // One pty read (up to 64 KiB) may land after the mark before the pause takes.
    expect(paused).toBeLessThan(highWatermark + 70_000);
    // Acknowledged, it runs again.
    acking = true;
    pty!.ack(paused);
    await expect.poll(() => received, { timeout: 10_000 }).toBeGreaterThan(paused + 10 * highWatermark);
    // Ctrl+C in the middle of the flood: output stops within 200 ms (nothing unbounded queued behind it).
    const sent = performance.now();
    pty!.write('\x03');
    await expect.poll(() => r.state.exit, { timeout: 5_000 }).toBe(130);
    expect(lastAt - sent).toBeLessThan(200);
    pty!.kill();
  } finally {
    await provider.shutdown();
  }
});

it('keeps the host socket out of reach of other users', async () => {
  const dirs = await fs.readdir(`${env.provider.storageDir}/hosts`);
  expect(dirs.length).toBeGreaterThan(0);
  for (const d of dirs) {
    const run = await fs.stat(`${env.provider.storageDir}/hosts/${d}/run`);
    expect([run.mode & 0o777, run.uid]).toEqual([0o700, UID]);
    const token = await fs.stat(`${env.provider.storageDir}/hosts/${d}/token`).catch(() => null);
    if (token) expect([token.mode & 0o777, token.uid]).toEqual([0o600, 0]);
  }
});
