// The approval gate with the real agent loop, event stream and database: a call the policy asks
// about waits for a person; four-eyes for high risk; expiry and Stop end the wait; a pending
// approval outlives a shutdown and, answered after the restart, its call runs exactly once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentHarness, eventsOf, payloadsOf, seedSession, silent } from '../../../test/support/agent-harness.ts';
import { createDirWorkspace, type DirWorkspace } from '../../../test/support/agent-workspace.ts';
import { createTestDb, testProviders, type TestDb } from '../../../test/support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../../test/support/scripted-model-server.ts';
import type { Principal } from '../../auth/roles.ts';
import type { EventPayload } from '../../sessions/event-types.ts';
import { createLocalBus } from '../../sessions/bus.ts';
import { createEventStream, type EventStream } from '../../sessions/stream.ts';
import type { PolicyHook, Risk } from '../policy.ts';
import type { AgentWorkspace } from '../tools/tool.ts';
import { ApprovalService } from './service.ts';

let server: ScriptedModelServer;
const workspaces = new Map<string, AgentWorkspace>();
const dirs: DirWorkspace[] = [];
beforeAll(async () => { server = await startScriptedModelServer(); });
afterAll(async () => { await server.close(); dirs.forEach((d) => d.cleanup()); });
afterEach(() => { server.requests.length = 0; });

/** Commands are asked about at the given risk; everything else is allowed. */
const askCommands = (risk: Risk): PolicyHook => ({
  decide: async (c) => (c.tool.name === 'run_command'
    ? { decision: 'ask', reason: `test: commands are ${risk} risk`, by: 'test-classifier', risk, rule: null }
    : { decision: 'allow', reason: 'test: allowed', by: 'test-classifier' }),
});

async function until<T>(what: () => Promise<T | null | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(testProviders)('approval gate on %s', (dbProvider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(dbProvider); });
  afterAll(async () => { await t?.cleanup(); });

  async function people(teamId: string, requesterId: string) {
    const person = async (role: 'admin' | 'member', id?: string): Promise<Principal> => {
      const user = id ? await t.db.user.findUniqueOrThrow({ where: { id } }) : await t.db.user.create({ data: { email: `${role}${Math.random()}@x.test`, name: `${role} ${Math.random().toString(36).slice(2, 6)}` } });
      return { user: { id: user.id, email: user.email, name: user.name }, teamId, role, authSessionId: 'test' };
    };
    return { requesterAsAdmin: await person('admin', requesterId), requesterAsMember: await person('member', requesterId), secondAdmin: await person('admin'), member: await person('member') };
  }

  function setup(risk: Risk, timeoutMs = 60_000) {
    let gate!: ApprovalService;
    const h = agentHarness(t, server, { workspaces, policy: askCommands(risk), approvals: (events: EventStream) => (gate = new ApprovalService({ db: t.db, events, log: silent, timeoutMs })) });
    return { h, gate };
  }

  async function session() {
    const s = await seedSession(t);
    const ws = createDirWorkspace({ 'README.md': 'hello\n' });
    dirs.push(ws);
    workspaces.set(s.sessionId, ws);
    return { ...s, ws };
  }

  const pendingApproval = (sessionId: string) => until(() => t.db.approval.findFirst({ where: { sessionId, status: 'pending' } }));

  it('an admin\'s own high-risk request waits for a second admin; members and the requester cannot approve it; the call then runs once', async () => {
    const s = await session();
    const who = await people(s.teamId, s.userId);
    const { h, gate } = setup('high');
    server.script([
      { toolCalls: [{ id: 'call_append', name: 'run_command', input: { command: 'echo ran >> log.txt' } }] },
      { text: 'Done.' },
    ]);
    await h.service.send({ ...s, text: 'append a line' });
    const approval = await pendingApproval(s.sessionId);
    expect(approval).toMatchObject({ risk: 'high', tool: 'run_command', requestedById: s.userId, teamId: s.teamId, reason: 'test: commands are high risk' });
    expect((await h.service.status(s.sessionId)).active).not.toBeNull();

    const decide = (p: Principal, approve = true) => gate.decide(p, { sessionId: s.sessionId, approvalId: approval.id, approve });
    expect(await decide(who.requesterAsAdmin)).toMatchObject({ ok: false, code: 'forbidden', error: expect.stringMatching(/other than the person whose message started the run/) });
    expect(await decide(who.requesterAsMember)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await decide(who.member)).toMatchObject({ ok: false, code: 'forbidden', error: expect.stringMatching(/admin/) });
    // Still waiting after every refusal: nothing ran.
    expect((await t.db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('pending');
    expect(() => readFileSync(path.join(s.ws.root, 'log.txt'))).toThrow();

    expect(await decide(who.secondAdmin)).toMatchObject({ ok: true, approval: { status: 'approved', decidedById: who.secondAdmin.user.id } });
    await h.service.idle(s.sessionId);
    // A replayed approval is refused and runs nothing again.
    expect(await decide(who.secondAdmin)).toMatchObject({ ok: false, code: 'conflict' });
    expect(readFileSync(path.join(s.ws.root, 'log.txt'), 'utf8')).toBe('ran\n');

    const events = await eventsOf(t, s.sessionId);
    const decided = events.find((e) => e.type === 'agent.approval.decided')!;
    expect(decided.payload).toMatchObject({ approvalId: approval.id, outcome: 'approved', by: who.secondAdmin.user.id });
    expect(decided).toMatchObject({ actorKind: 'user', actorId: who.secondAdmin.user.id });
    expect(payloadsOf<EventPayload<'agent.policy.decision'>>(events, 'agent.policy.decision').map((d) => [d.decision, d.by]))
      .toEqual([['ask', 'test-classifier'], ['allow', who.secondAdmin.user.id]]);
    const order = events.map((e) => e.type).filter((x) => x.startsWith('agent.approval') || x === 'agent.tool.result' || x === 'agent.policy.decision');
    expect(order).toEqual(['agent.policy.decision', 'agent.approval.requested', 'agent.approval.decided', 'agent.policy.decision', 'agent.tool.result']);
  });

  it('a run waiting for approval blocks no other session\'s run', async () => {
    const a = await session();
    const b = await session();
    const { h, gate } = setup('high');
    server.script([{ toolCalls: [{ name: 'run_command', input: { command: 'true' } }] }]);
    await h.service.send({ ...a, text: 'wait for a person' });
    const approval = await pendingApproval(a.sessionId);
    server.script([{ toolCalls: [{ name: 'read_file', input: { path: 'README.md' } }] }, { text: 'It says hello.' }]);
    await h.service.send({ ...b, text: 'read the readme' });
    await h.service.idle(b.sessionId);
    expect(payloadsOf(await eventsOf(t, b.sessionId), 'agent.run.ended')).toMatchObject([{ outcome: 'completed' }]);
    expect((await t.db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('pending');
    const who = await people(a.teamId, a.userId);
    server.script([{ text: 'Denied; stopping.' }]);
    expect(await gate.decide(who.secondAdmin, { sessionId: a.sessionId, approvalId: approval.id, approve: false })).toMatchObject({ ok: true });
    await h.service.idle(a.sessionId);
  });

  it('a medium-risk ask may be approved by the member who started the run', async () => {
    const s = await session();
    const who = await people(s.teamId, s.userId);
    const { h, gate } = setup('medium');
    server.script([{ toolCalls: [{ name: 'run_command', input: { command: 'echo ok > m.txt' } }] }, { text: 'Done.' }]);
    await h.service.send({ ...s, text: 'write m.txt' });
    const approval = await pendingApproval(s.sessionId);
    expect(await gate.decide(who.requesterAsMember, { sessionId: s.sessionId, approvalId: approval.id, approve: true })).toMatchObject({ ok: true });
    await h.service.idle(s.sessionId);
    expect(readFileSync(path.join(s.ws.root, 'm.txt'), 'utf8')).toBe('ok\n');
  });

  it('an approval from another session is refused', async () => {
    const a = await session();
    const b = await session();
    const who = await people(a.teamId, a.userId);
    const { h, gate } = setup('medium');
    server.script([{ toolCalls: [{ name: 'run_command', input: { command: 'true' } }] }, { text: 'Done.' }]);
    await h.service.send({ ...a, text: 'go' });
    const approval = await pendingApproval(a.sessionId);
    expect(await gate.decide(who.requesterAsAdmin, { sessionId: b.sessionId, approvalId: approval.id, approve: true })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await gate.decide({ ...who.secondAdmin, teamId: 'another-team' }, { sessionId: a.sessionId, approvalId: approval.id, approve: true })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await gate.decide(who.requesterAsMember, { sessionId: a.sessionId, approvalId: approval.id, approve: false })).toMatchObject({ ok: true, approval: { status: 'denied' } });
    await h.service.idle(a.sessionId);
  });

  it('unanswered, it expires as a denial the model reads, and the run goes on', async () => {
    const s = await session();
    const { h } = setup('high', 400);
    server.script([
      { toolCalls: [{ id: 'call_rm', name: 'run_command', input: { command: 'rm -rf ./*' } }] },
      { text: 'I was not allowed to delete anything; stopping here.' },
    ]);
    await h.service.send({ ...s, text: 'clean up' });
    await h.service.idle(s.sessionId);
    expect(readFileSync(path.join(s.ws.root, 'README.md'), 'utf8')).toBe('hello\n');
    const events = await eventsOf(t, s.sessionId);
    expect(payloadsOf(events, 'agent.approval.decided')).toMatchObject([{ outcome: 'expired', by: null }]);
    expect(payloadsOf<EventPayload<'agent.tool.result'>>(events, 'agent.tool.result')).toMatchObject([{ callId: 'call_rm', ok: false, output: expect.stringMatching(/denied \(nobody answered within/) }]);
    expect(JSON.stringify(server.requests.at(-1)!.body)).toMatch(/Not run: denied/);
    expect(payloadsOf(events, 'agent.run.ended')).toMatchObject([{ outcome: 'completed', steps: 2 }]);
  });

  it('Stop while waiting cancels the approval', async () => {
    const s = await session();
    const who = await people(s.teamId, s.userId);
    const { h, gate } = setup('high');
    server.script([{ toolCalls: [{ name: 'run_command', input: { command: 'true' } }] }]);
    await h.service.send({ ...s, text: 'go' });
    const approval = await pendingApproval(s.sessionId);
    expect(await h.service.stop(s.sessionId)).toEqual({ ok: true });
    expect((await t.db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('cancelled');
    expect(await gate.decide(who.secondAdmin, { sessionId: s.sessionId, approvalId: approval.id, approve: true })).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('an answer recorded by another instance reaches the waiting run by its expiry at the latest', async () => {
    const s = await session();
    const who = await people(s.teamId, s.userId);
    const { h } = setup('high', 1500);
    server.script([{ toolCalls: [{ name: 'run_command', input: { command: 'echo elsewhere > e.txt' } }] }, { text: 'Done.' }]);
    await h.service.send({ ...s, text: 'go' });
    const approval = await pendingApproval(s.sessionId);
    const other = new ApprovalService({ db: t.db, events: createEventStream(t.db, createLocalBus()), log: silent, timeoutMs: 60_000 });
    expect(await other.decide(who.secondAdmin, { sessionId: s.sessionId, approvalId: approval.id, approve: true })).toMatchObject({ ok: true });
    await h.service.idle(s.sessionId);
    expect(readFileSync(path.join(s.ws.root, 'e.txt'), 'utf8')).toBe('elsewhere\n');
    expect((await t.db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('approved');
  });

  it('a pending approval outlives a shutdown; approved after the restart, the interrupted run resumes and the call runs exactly once', async () => {
    const s = await session();
    const who = await people(s.teamId, s.userId);
    const first = setup('high');
    server.script([{ toolCalls: [{ id: 'call_once', name: 'run_command', input: { command: 'echo once >> once.txt' } }] }]);
    await first.h.service.send({ ...s, text: 'append once' });
    const approval = await pendingApproval(s.sessionId);
    await first.h.service.close();
    first.gate.close();
    expect((await t.db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('pending');
    expect(await t.db.agentRun.findFirstOrThrow({ where: { sessionId: s.sessionId } })).toMatchObject({ status: 'interrupted' });

    const second = setup('high');
    second.gate.onSettledWithoutRun(({ sessionId, runId }) => void second.h.service.resume(sessionId, runId));
    expect(await second.gate.recover()).toBeGreaterThanOrEqual(1);
    server.script([{ text: 'Appended.' }]);
    expect(await second.gate.decide(who.secondAdmin, { sessionId: s.sessionId, approvalId: approval.id, approve: true })).toMatchObject({ ok: true });
    await until(async () => (await t.db.agentRun.findFirst({ where: { sessionId: s.sessionId, status: 'completed' } })));
    expect(readFileSync(path.join(s.ws.root, 'once.txt'), 'utf8')).toBe('once\n');
    const events = await eventsOf(t, s.sessionId);
    expect(payloadsOf(events, 'agent.approval.requested')).toHaveLength(1);
    expect(payloadsOf<EventPayload<'agent.tool.result'>>(events, 'agent.tool.result')).toMatchObject([{ callId: 'call_once', ok: true }]);
    second.gate.close();
  });
});
