// Two instances over one PostgreSQL database and one Redis: events, approvals, stop requests and
// agent-run leases cross from one to the other; sockets connected to either see the same session.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentHarness, eventsOf, payloadsOf, seedSession, silent } from '../../test/support/agent-harness.ts';
import { createDirWorkspace, type DirWorkspace } from '../../test/support/agent-workspace.ts';
import { ApiClient, createProvisionedSession, setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';
import { createTestDb, type TestDb } from '../../test/support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../test/support/scripted-model-server.ts';
import { ApprovalService } from '../agent/approvals/service.ts';
import type { PolicyHook } from '../agent/policy.ts';
import type { AgentWorkspace } from '../agent/tools/tool.ts';
import type { Principal } from '../auth/roles.ts';
import type { SessionEvent } from '../sessions/event-types.ts';
import type { EventStream } from '../sessions/stream.ts';
import { redisCluster, type Cluster } from './cluster.ts';

const REDIS_URL = process.env.TEST_REDIS_URL;
const PG_URL = process.env.TEST_DATABASE_URL;
/** Each run its own keys and channels, so runs (and other checkouts' runs) sharing the Redis never meet. */
const PREFIX = `tether-test:${randomBytes(4).toString('hex')}:`;

async function until<T>(what: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

const askCommands: PolicyHook = {
  decide: async (c) => (c.tool.name === 'run_command'
    ? { decision: 'ask', reason: 'test: commands are high risk', by: 'test-classifier', risk: 'high', rule: null }
    : { decision: 'allow', reason: 'test: allowed', by: 'test-classifier' }),
};

describe.skipIf(!REDIS_URL || !PG_URL)('two instances on PostgreSQL and Redis', () => {
  let t: TestDb;
  let server: ScriptedModelServer;
  let a: Cluster;
  let b: Cluster;
  const workspaces = new Map<string, AgentWorkspace>();
  const dirs: DirWorkspace[] = [];

  beforeAll(async () => {
    t = await createTestDb('postgres');
    server = await startScriptedModelServer();
    a = await redisCluster(REDIS_URL!, silent, 'test-a', PREFIX);
    b = await redisCluster(REDIS_URL!, silent, 'test-b', PREFIX);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.close();
    await t?.cleanup();
    dirs.forEach((d) => d.cleanup());
  });

  /** One agent service (with its approval gate) per instance, over the shared database. */
  function instance(c: Cluster, timeoutMs = 60_000) {
    let gate!: ApprovalService;
    const h = agentHarness(t, server, {
      workspaces, policy: askCommands, cluster: c,
      approvals: (events: EventStream) => (gate = new ApprovalService({ db: t.db, events, log: silent, timeoutMs, bus: c.bus })),
    });
    return { h, gate };
  }

  async function session() {
    const s = await seedSession(t);
    const ws = createDirWorkspace({ 'README.md': 'hello\n' });
    dirs.push(ws);
    workspaces.set(s.sessionId, ws);
    return { ...s, ws };
  }

  async function admin(teamId: string): Promise<Principal> {
    const user = await t.db.user.create({ data: { email: `admin${Math.random()}@x.test`, name: 'second admin' } });
    return { user: { id: user.id, email: user.email, name: user.name }, teamId, role: 'admin', authSessionId: 'test' };
  }

  it('an event appended on A reaches a follower on B, in order, with nothing missed', async () => {
    const s = await session();
    const onA = instance(a);
    const onB = instance(b);
    const seen: SessionEvent[] = [];
    const stop = await onB.h.events.follow(s.sessionId, 0, (e) => seen.push(e));
    for (let i = 0; i < 20; i++) await onA.h.events.append(s.sessionId, { type: 'user.message', payload: { text: `m${i}` } }, { kind: 'user', id: s.userId });
    await until(() => seen.length === 20);
    stop();
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('an approval given on B wakes the run waiting on A at once, long before its expiry', async () => {
    const s = await session();
    const onA = instance(a, 120_000);
    const onB = instance(b, 120_000);
    server.script([{ toolCalls: [{ name: 'run_command', input: { command: 'echo crossed > x.txt' } }] }, { text: 'Done.' }]);
    await onA.h.service.send({ ...s, text: 'write x.txt' });
    const approval = await until(() => t.db.approval.findFirst({ where: { sessionId: s.sessionId, status: 'pending' } }));
    const started = Date.now();
    expect(await onB.gate.decide(await admin(s.teamId), { sessionId: s.sessionId, approvalId: approval.id, approve: true })).toMatchObject({ ok: true });
    await onA.h.service.idle(s.sessionId);
    // Woken by the answer, not by the two-minute expiry.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(readFileSync(path.join(s.ws.root, 'x.txt'), 'utf8')).toBe('crossed\n');
    expect(payloadsOf(await eventsOf(t, s.sessionId), 'agent.run.ended')).toMatchObject([{ outcome: 'completed' }]);
  });

  it('Stop pressed on B ends the run held by A', async () => {
    const s = await session();
    const onA = instance(a);
    const onB = instance(b);
    server.script([{ toolCalls: [{ name: 'run_command', input: { command: 'true' } }] }]);
    await onA.h.service.send({ ...s, text: 'wait for a person' });
    await until(() => t.db.approval.findFirst({ where: { sessionId: s.sessionId, status: 'pending' } }));
    expect((await onB.h.service.status(s.sessionId)).active).not.toBeNull();
    expect(await onB.h.service.stop(s.sessionId)).toEqual({ ok: true });
    await onA.h.service.idle(s.sessionId);
    expect(payloadsOf(await eventsOf(t, s.sessionId), 'agent.run.ended')).toMatchObject([{ outcome: 'stopped' }]);
  });

  it('two instances told to resume the same run: exactly one runs it', async () => {
    const s = await session();
    const onA = instance(a);
    const onB = instance(b);
    server.requests.length = 0;
    // What a restart leaves: a run started, then interrupted before its first step.
    await onA.h.events.append(s.sessionId, { type: 'user.message', payload: { text: 'go' } }, { kind: 'user', id: s.userId });
    const run = await t.db.agentRun.create({ data: { sessionId: s.sessionId, userId: s.userId, teamId: s.teamId, text: 'go', status: 'interrupted' } });
    await onA.h.events.append(s.sessionId, { type: 'agent.run.started', payload: { runId: run.id, text: 'go' } }, { kind: 'agent', id: null });
    await onA.h.events.append(s.sessionId, { type: 'agent.run.interrupted', payload: { runId: run.id, lastStep: 0 } }, { kind: 'system', id: null });
    server.script([{ text: 'Resumed once.' }]);
    const results = await Promise.all([onA.h.service.resume(s.sessionId, run.id), onB.h.service.resume(s.sessionId, run.id)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    await Promise.all([onA.h.service.idle(s.sessionId), onB.h.service.idle(s.sessionId)]);
    const events = await eventsOf(t, s.sessionId);
    expect(events.filter((e) => e.type === 'agent.run.resumed')).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
  });

  it('a run whose instance died is marked interrupted by a sweep; one held by a live instance is left alone', async () => {
    const live = await session();
    const onA = instance(a);
    const onB = instance(b);
    server.script([{ toolCalls: [{ name: 'run_command', input: { command: 'true' } }] }]);
    await onA.h.service.send({ ...live, text: 'wait for a person' });
    await until(() => t.db.approval.findFirst({ where: { sessionId: live.sessionId, status: 'pending' } }));
    const dead = await session();
    // What a crashed instance leaves: a run marked running, its lease gone with it.
    const orphan = await t.db.agentRun.create({ data: { sessionId: dead.sessionId, userId: dead.userId, teamId: dead.teamId, text: 'go', status: 'running' } });
    const before = (await t.db.agentRun.findMany({ where: { status: 'running' } })).map((r) => r.id);
    expect(before).toContain(orphan.id);
    await onB.h.service.sweep();
    expect((await t.db.agentRun.findUniqueOrThrow({ where: { id: orphan.id } })).status).toBe('interrupted');
    expect(payloadsOf(await eventsOf(t, dead.sessionId), 'agent.run.interrupted')).toHaveLength(1);
    expect((await t.db.agentRun.findFirstOrThrow({ where: { sessionId: live.sessionId } })).status).toBe('running');
    await onA.h.service.stop(live.sessionId);
  });
});

describe.skipIf(!REDIS_URL || !PG_URL)('two Tether servers sharing PostgreSQL and Redis', () => {
  let first: TestApp;
  let second: TestApp;
  let cookies: Awaited<ReturnType<typeof setupAdminAndMember>>;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Browsers can reach A directly (TETHER_INSTANCE_URL); workspaces live on storage both share.
    // No disk images: one image must never be mounted by two kernels, and here both are one machine.
    const port = await freePort();
    const common = { REDIS_URL: REDIS_URL!, TETHER_REDIS_PREFIX: PREFIX, TETHER_WORKSPACE_DISK_BYTES: '0' };
    first = await startTestApp('postgres', { ...common, TETHER_INSTANCE_ID: 'server-a', PORT: String(port), TETHER_INSTANCE_URL: `http://127.0.0.1:${port}` });
    second = await startTestApp('postgres', { ...common, TETHER_INSTANCE_ID: 'server-b' }, { testDb: first.testDb, dataDir: first.services.config.dataDir });
    cookies = await setupAdminAndMember(first);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    // B first: A owns the shared data dir and database and removes them last.
    await second?.close();
    await first?.close();
  });

  function open(app: TestApp, cookie: string): Promise<Socket> {
    const socket = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: app.url } });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.on('connect', () => resolve(socket));
      socket.on('connect_error', reject);
    });
  }

  it('a browser on B follows a session created on A and sees what happens there live', async () => {
    // Ready before B follows, and followed from after workspace.ready: B finds the workspace ready
    // on its own, and must not try to open (and watch) a workspace A runs.
    const { id: sessionId } = await createProvisionedSession(cookies.member, { kind: 'empty' }, 'across');
    const last = await first.testDb.db.event.findFirstOrThrow({ where: { sessionId }, orderBy: { seq: 'desc' } });
    const socket = await open(second, cookies.memberCookie);
    const seen: SessionEvent[] = [];
    socket.on('session:event', (e: SessionEvent) => seen.push(e));
    expect(await socket.emitWithAck('session:follow', { sessionId, afterSeq: last.seq })).toEqual({ ok: true });
    const member = await first.testDb.db.user.findFirstOrThrow({ where: { email: 'member@example.test' } });
    const appended = await first.services.events.append(sessionId, { type: 'user.message', payload: { text: 'from A' } }, { kind: 'user', id: member.id });
    const got = await until(() => seen.find((e) => e.seq === appended.seq));
    expect(got.payload).toEqual({ text: 'from A' });
  });

  it('revoking a share link on A disconnects its viewer on B within a second', async () => {
    const { data } = await cookies.member.mutate('sessions.create', { title: 'shared across' });
    const sessionId = (data as { id: string }).id;
    const created = (await cookies.member.mutate('share.create', { sessionId, scope: 'view', expiresInHours: 1 })).data as { token: string; link: { id: string } };
    const viewer = connect(`${second.url}/share`, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: created.token }, extraHeaders: { origin: second.url } });
    sockets.push(viewer);
    await new Promise<void>((resolve, reject) => { viewer.on('connect', resolve); viewer.on('connect_error', reject); });
    const ended: string[] = [];
    viewer.on('share:ended', (e: { reason: string }) => ended.push(e.reason));
    const disconnected = new Promise<number>((resolve) => viewer.on('disconnect', () => resolve(Date.now())));
    const start = Date.now();
    expect((await cookies.member.mutate('share.revoke', { sessionId, linkId: created.link.id })).error).toBeNull();
    expect((await disconnected) - start).toBeLessThan(1000);
    expect(ended).toEqual(['This share link has been revoked.']);
  });

  it('people connected to A and to B see each other present in one session, and one leaving drops out on both', async () => {
    const { data } = await cookies.member.mutate('sessions.create', { title: 'present across' });
    const sessionId = (data as { id: string }).id;
    const onA = await open(first, cookies.memberCookie);
    const onB = await open(second, cookies.adminCookie);
    const lastSeen = new Map<Socket, string[]>();
    for (const s of [onA, onB]) {
      s.on('presence:changed', (e: { people: { name: string }[] }) => lastSeen.set(s, e.people.map((p) => p.name)));
      expect(await s.emitWithAck('session:follow', { sessionId, afterSeq: 0 })).toEqual({ ok: true });
    }
    expect(await onA.emitWithAck('presence:set', { sessionId, file: 'README.md' })).toMatchObject({ ok: true });
    const answer = await onB.emitWithAck('presence:set', { sessionId, file: null });
    expect(answer.people.map((p: { name: string; file: string | null }) => [p.name, p.file])).toEqual([['Ada Admin', null], ['Max Member', 'README.md']]);
    await until(() => (lastSeen.get(onA)?.length === 2 ? true : null));
    onB.close();
    await until(() => (lastSeen.get(onA)?.join() === 'Max Member' ? true : null));
  });

  it('a sign-in throttle earned on A holds on B', async () => {
    const wrong = { email: 'member@example.test', password: 'not the password' };
    for (let i = 0; i < 3; i++) expect((await first.api.mutate('auth.login', wrong)).error?.code).toBe('UNAUTHORIZED');
    const onB = await second.api.mutate('auth.login', wrong);
    expect(onB.error?.code).toBe('TOO_MANY_REQUESTS');
  });

  it('an admin watching the approval queue on B hears of an approval raised on A', async () => {
    const socket = await open(second, cookies.adminCookie);
    let changed = 0;
    socket.on('approvals:changed', () => { changed++; });
    expect(await socket.emitWithAck('approvals:watch')).toEqual({ ok: true });
    const { data } = await cookies.member.mutate('sessions.create', { title: 'asks' });
    const sessionId = (data as { id: string }).id;
    const member = await first.testDb.db.user.findFirstOrThrow({ where: { email: 'member@example.test' } });
    void first.services.approvals.ask({
      sessionId, runId: '', callId: 'call-across', tool: 'run_command', userId: member.id, input: { command: 'rm -rf build' },
      decision: { decision: 'ask', reason: 'test', by: 'test', risk: 'high', rule: null },
    }, new AbortController().signal);
    await until(() => changed > 0);
  });

  it('a workspace runs on one instance: B sends the browser to A; once A is silent, B takes it over from the shared storage', async () => {
    const session = await createProvisionedSession(cookies.member);
    expect(session.workspace.status).toBe('ready');
    expect((await cookies.member.mutate('files.write', { sessionId: session.id, path: 'notes.txt', content: 'written on A\n' })).error).toBeNull();
    const viaB = new ApiClient(second.url, cookies.memberCookie);
    const refused = await viaB.query('files.read', { sessionId: session.id, path: 'notes.txt' });
    expect(refused.error).toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/another Tether server \(server-a\)/) });
    const page = await fetch(`${second.url}/sessions/${session.id}`, { redirect: 'manual', headers: { cookie: cookies.memberCookie } });
    expect(page.status).toBe(307);
    expect(page.headers.get('location')).toBe(`${first.url}/sessions/${session.id}`);

    // A stops answering (its processes gone, its heartbeat silent): B may take the workspace over.
    await first.stopHeartbeat();
    await first.provider.shutdown();
    const read = await viaB.query('files.read', { sessionId: session.id, path: 'notes.txt' });
    expect(read.error).toBeNull();
    expect(read.data).toMatchObject({ content: 'written on A\n' });
    const events = await first.testDb.db.event.findMany({ where: { sessionId: session.id } });
    expect(events.find((e) => e.type === 'workspace.moved')?.payload).toEqual({ from: 'server-a', to: 'server-b' });
    expect((await first.testDb.db.workspace.findUniqueOrThrow({ where: { id: session.workspace.id } })).instanceId).toBe('server-b');
  });

  it('serves /metrics to loopback clients in Prometheus format', async () => {
    const res = await fetch(`${first.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^# HELP tether_sessions /m);
    expect(text).toMatch(/^tether_approvals_pending \d+/m);
    expect(text).toMatch(/^tether_event_append_seconds_count \d+/m);
  });
});
