// A task profile's network hosts, in a real network-on sandbox: the agent's commands go out through
// the profile's own proxy socket, so a profile with no hosts (or without the host) is refused in
// words, build reaches what the workspace allows, and a person's terminal keeps the workspace's
// rules. The upstream is a loopback test server pinned as allowed.test (no traffic leaves).
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentHarness, eventsOf, payloadsOf, seedSession } from '../../../test/support/agent-harness.ts';
import { createTestDb, type TestDb } from '../../../test/support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../../test/support/scripted-model-server.ts';
import type { EventPayload } from '../../sessions/event-types.ts';
import type { EgressAttempt } from '../../workspace/egress/proxy.ts';
import { allowlistMatches } from '../../workspace/egress/hosts.ts';
import { createLocalProvider, type LocalProvider } from '../../workspace/local-provider.ts';
import type { Workspace } from '../../workspace/provider.ts';
import { runInPty, silentLog, TEST_LIMITS, uidBase } from '../../workspace/testing.ts';
import { agentWorkspace } from '../workspace-adapter.ts';
import { BUILTIN_PROFILES } from './builtins.ts';
import { saveProfile } from './store.ts';
import { withProfileEgress } from './network.ts';
import type { RunProfile } from './spec.ts';

let base: string;
let provider: LocalProvider;
let ws: Workspace;
let upstream: http.Server;
let port: number;
const attempts: EgressAttempt[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  port = (upstream.address() as AddressInfo).port;
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-profile-egress-'));
  await fs.chmod(base, 0o711);
  provider = await createLocalProvider({
    dataDir: path.join(base, 'data'), unsafeNoSandbox: false, limits: TEST_LIMITS, log: silentLog,
    egress: {
      pinned: new Map(['allowed.test', 'other.test'].map((h) => [`${h}:${port}`, { host: '127.0.0.1', port }])),
      policy: {
        decide: (_ws, r) => {
          const entry = allowlistMatches(['allowed.test', 'other.test'], r.host);
          return Promise.resolve(entry ? { allow: true, by: `allowlist:${entry}`, reason: 'listed' } : { allow: false, by: 'test', reason: 'not listed' });
        },
        approveWrite: () => Promise.resolve({ allow: false, by: 'test', reason: 'these tests do not write' }),
        record: (_ws, a) => attempts.push(a),
      },
    },
  });
  ws = await provider.create({ id: 'profile-net', source: { kind: 'empty' }, networkAllowed: true, uid: uidBase() + 90 });
}, 60_000);

afterAll(async () => {
  for (const id of await provider.ids()) await provider.destroy(id);
  await provider.shutdown();
  upstream.close();
  await fs.rm(base, { recursive: true, force: true });
});

const profile = (name: string): RunProfile => BUILTIN_PROFILES.find((p) => p.name === name)!;
/** A plain request and a tunnel, each printing the body (the proxy's words on a refusal) and the status. */
const curl = (url: string) => `curl -s --max-time 10 -w ' status=%{http_code}' ${url}; echo; curl -s -p --max-time 10 -w ' connect=%{http_connect}' ${url}; echo`;

describe("a task profile's network hosts on the agent's commands", () => {
  it('refuses the agent under a profile with no hosts, in words, tunnelled and plain', async () => {
    const agent = withProfileEgress(agentWorkspace(ws), profile('ask'));
    const r = await agent.exec(['bash', '-c', curl(`http://allowed.test:${port}/ask`)], { timeoutMs: 60_000 });
    expect(r.stdout).toContain('Tether egress: the ask task may not reach allowed.test (it may reach no hosts)\n status=403');
    expect(r.stdout).toContain('connect=403');
    expect(r.stdout).not.toContain('hello');
    expect(attempts.filter((a) => a.by === 'profile-network:ask').map((a) => [a.method, a.allow])).toEqual([['GET', false], ['CONNECT', false]]);
  }, 90_000);

  it('refuses a host the profile does not name and lets through one it does, still under the workspace allowlist', async () => {
    const narrow: RunProfile = { name: 'docs', spec: { ...profile('build').spec, network: { hosts: ['other.test'] } } };
    const agent = withProfileEgress(agentWorkspace(ws), narrow);
    const r = await agent.exec(['bash', '-c', `${curl(`http://allowed.test:${port}/no`)}; ${curl(`http://other.test:${port}/yes`)}`], { timeoutMs: 60_000 });
    expect(r.stdout).toContain('Tether egress: the docs task may not reach allowed.test (its hosts: other.test)\n status=403');
    expect(r.stdout).toContain('hello /yes status=200');
    expect(attempts.filter((a) => a.host === 'other.test').map((a) => a.by)).toEqual(['allowlist:other.test', 'allowlist:other.test']);
  }, 90_000);

  it('lets the agent under build reach what the workspace allows', async () => {
    const agent = withProfileEgress(agentWorkspace(ws), profile('build'));
    const r = await agent.exec(['bash', '-c', curl(`http://allowed.test:${port}/build`)], { timeoutMs: 60_000 });
    expect(r.stdout).toContain('hello /build status=200');
    expect(r.stdout).toContain('connect=200');
  }, 90_000);

  it("leaves a person's terminal on the workspace's rules while an ask run is refused", async () => {
    const agent = withProfileEgress(agentWorkspace(ws), profile('ask'));
    const [refused, terminal] = await Promise.all([
      agent.exec(['bash', '-c', curl(`http://allowed.test:${port}/agent`)], { timeoutMs: 60_000 }),
      runInPty(ws, curl(`http://allowed.test:${port}/terminal`), 60_000),
    ]);
    expect(refused.stdout).toContain('may not reach allowed.test');
    expect(terminal.output).toContain('hello /terminal status=200');
  }, 90_000);

  it("binds an agent run's run_command: refused under a profile with no hosts, through under build", async () => {
    const t: TestDb = await createTestDb('sqlite');
    const server: ScriptedModelServer = await startScriptedModelServer();
    try {
      const s = await seedSession(t);
      await saveProfile(t.db, { teamId: s.teamId, actorId: s.userId, profile: { name: 'offline', description: '', spec: { ...profile('build').spec, network: { hosts: [] } } } });
      const h = agentHarness(t, server, { workspaces: new Map([[s.sessionId, agentWorkspace(ws)]]) });
      const fetch = (p: string) => ({ toolCalls: [{ name: 'run_command', input: { command: `curl -s --max-time 10 http://allowed.test:${port}/${p}` } }] });
      server.script('m', [fetch('offline'), { text: 'Refused.' }, fetch('build'), { text: 'Fetched.' }]);
      await h.service.send({ ...s, text: 'Fetch it.', profile: 'offline' });
      await h.service.idle(s.sessionId);
      await h.service.send({ ...s, text: 'Fetch it.', profile: 'build' });
      await h.service.idle(s.sessionId);

      const results = payloadsOf<EventPayload<'agent.tool.result'>>(await eventsOf(t, s.sessionId), 'agent.tool.result');
      expect(results[0]!.output).toContain('Tether egress: the offline task may not reach allowed.test (it may reach no hosts)');
      expect(results[1]!.output).toContain('hello /build');
      expect(server.pending()).toBe(0);
    } finally {
      await server.close();
      await t.cleanup();
    }
  }, 120_000);
});
