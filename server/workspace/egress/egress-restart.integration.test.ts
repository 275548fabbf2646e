// A terminal that outlives the server keeps its network: the workspace host's sandbox binds the
// directory of the egress socket, and the next server process re-creates its proxy's socket there.
// The restart is the one pty-host.integration.test.ts simulates (shutdown, then a new provider on
// the same data dir); the upstream is a local server the proxy treats as allowed.test (pinned).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocalProvider, type LocalProvider } from '../local-provider.ts';
import type { PtyEvents, Workspace, WorkspaceSpec } from '../provider.ts';
import { runInPty, silentLog, TEST_LIMITS, uidBase } from '../testing.ts';
import { pidsOfUid } from '../uid-processes.ts';
import { allowlistMatches } from './hosts.ts';

const UID = uidBase() + 5;
const spec: WorkspaceSpec = { id: 'egress-restart', source: { kind: 'empty' }, networkAllowed: true, uid: UID };
let base: string;
let upstream: http.Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    hits.push(`${req.headers.host}${req.url}`);
    res.end(`hello ${req.url}`);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  port = (upstream.address() as AddressInfo).port;
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-egress-restart-'));
  await fs.chmod(base, 0o711);
});

afterAll(async () => {
  upstream.close();
  await fs.rm(base, { recursive: true, force: true });
});

/** One server process: a provider on the shared data dir whose policy lets allowed.test through. */
function serverProcess(): Promise<LocalProvider> {
  return createLocalProvider({
    dataDir: path.join(base, 'data'), unsafeNoSandbox: false, limits: TEST_LIMITS, log: silentLog,
    egress: {
      pinned: new Map([[`allowed.test:${port}`, { host: '127.0.0.1', port }]]),
      policy: {
        decide: (_ws, r) => Promise.resolve(allowlistMatches(['allowed.test'], r.host)
          ? { allow: true, by: 'allowlist:allowed.test', reason: 'listed' }
          : { allow: false, by: 'test', reason: 'not listed' }),
        approveWrite: () => Promise.resolve({ allow: false, by: 'test', reason: 'these tests do not write' }),
        record: () => {},
      },
    },
  });
}

function recorder() {
  const state = { text: '', exit: null as number | null, lost: null as string | null };
  const events: PtyEvents = {
    onData: (c) => { state.text += c.data; },
    onExit: (e) => { state.exit = e.exitCode; },
    onLost: (reason) => { state.lost = reason; },
  };
  return { state, events };
}

const fetchLine = (tag: string) => `curl -s --max-time 10 http://allowed.test:${port}/${tag}; echo " exit=$?"\r`;

it('lets a terminal that survived a server restart, and a new one, reach an allowed host through the proxy', async () => {
  const first = await serverProcess();
  let ws: Workspace = await first.create(spec);
  const id = randomUUID();
  const before = recorder();
  const { pty } = await ws.openPty({ id, cols: 200, rows: 24 }, before.events);
  pty.write(fetchLine('before'));
  await expect.poll(() => before.state.text, { timeout: 15_000 }).toContain('hello /before exit=0');

  // SIGTERM: the host keeps running for its terminal; the proxy and its socket are gone.
  await first.shutdown();
  expect((await pidsOfUid(UID)).length).toBeGreaterThan(0);
  const [socketDir] = (await fs.readdir(path.join(base, 'data', 'egress'))).filter((n) => n !== 'ca');
  await expect(fs.readdir(path.join(base, 'data', 'egress', socketDir!))).resolves.toEqual([]);

  const second = await serverProcess();
  try {
    ws = await second.open(spec);
    // Only the proxy's socket is in the directory the sandbox binds.
    const dir = path.join(base, 'data', 'egress', socketDir!);
    expect(await fs.readdir(dir)).toEqual(['e.sock']);
    const st = await fs.stat(path.join(dir, 'e.sock'));
    expect([st.isSocket(), st.mode & 0o777, st.uid]).toEqual([true, 0o600, UID]);

    expect((await ws.ptys()).map((p) => p.id)).toEqual([id]);
    const after = recorder();
    const adopted = ws.adoptPty(id, after.events)!;
    adopted.write(fetchLine('after'));
    await expect.poll(() => after.state.text, { timeout: 15_000 }).toContain('hello /after exit=0');
    expect(after.state.lost).toBeNull();
    // A new terminal (a new process of the same host) goes out the same way; the socket is not writable or removable inside.
    const fresh = await runInPty(ws, `curl -s --max-time 10 http://allowed.test:${port}/fresh; echo " exit=$?"; rm -f /run/tether/egress/e.sock; echo "rm=$?"; [ -S /run/tether/egress/e.sock ] && echo still-there`);
    expect(fresh.output).toContain('hello /fresh exit=0');
    expect(fresh.output).toContain('still-there');
    expect(fresh.output).toMatch(/rm=1/);
    expect(hits).toEqual([`allowed.test:${port}/before`, `allowed.test:${port}/after`, `allowed.test:${port}/fresh`]);
    adopted.kill();
  } finally {
    for (const wsId of await second.ids()) await second.destroy(wsId);
    await second.shutdown();
  }
  await expect(fs.readdir(path.join(base, 'data', 'egress'))).resolves.not.toContain(socketDir);
});
