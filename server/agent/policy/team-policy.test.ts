// The policy as the server wires it: stored rules and settings through the engine's hook, and
// the anomaly limits pausing real runs (agent harness, scripted model server, real event stream).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentHarness, eventsOf, payloadsOf, seedSession, silent, type AgentHarness } from '../../../test/support/agent-harness.ts';
import { createDirWorkspace, type DirWorkspace } from '../../../test/support/agent-workspace.ts';
import { createTestDb, testProviders, type TestDb } from '../../../test/support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../../test/support/scripted-model-server.ts';
import type { EventPayload } from '../../sessions/event-types.ts';
import { noApprovals, type PolicyCall } from '../policy.ts';
import { runCommand } from '../tools/run-command.ts';
import { writeFile } from '../tools/write-file.ts';
import type { AgentWorkspace, AnyTool } from '../tools/tool.ts';
import { ANOMALY_DECIDER } from './anomaly-limits.ts';
import { addRule, deleteRule, DEFAULT_POLICY_SETTINGS, setPolicySettings } from './rules-store.ts';
import { explainCall, teamPolicy } from './team-policy.ts';

let server: ScriptedModelServer;
const workspaces = new Map<string, AgentWorkspace>();
const dirs: DirWorkspace[] = [];
beforeAll(async () => { server = await startScriptedModelServer(); });
afterAll(async () => { await server.close(); dirs.forEach((d) => d.cleanup()); });
afterEach(() => { expect(server.pending()).toBe(0); server.requests.length = 0; });

const run = (sessionId: string, command: string): PolicyCall =>
  ({ sessionId, runId: 'r', userId: 'u', tool: runCommand as AnyTool, input: { command }, highRisk: null });
const cmd = (command: string) => ({ toolCalls: [{ name: 'run_command', input: { command } }] });

describe.each(testProviders)('team policy on %s', (provider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(provider); });
  afterAll(async () => { await t?.cleanup(); });

  /** A harness whose agent runs under the policy exactly as services.ts wires it. */
  function harness(): AgentHarness {
    let h: AgentHarness | null = null;
    const leash = teamPolicy({ db: t.db, log: silent, approvals: noApprovals, pause: (...a) => h!.service.pause(...a) });
    h = agentHarness(t, server, { workspaces, policy: leash.policy, approvals: leash.approvals });
    return h;
  }

  async function sessionIn(files: Record<string, string> = {}) {
    const s = await seedSession(t);
    const ws = createDirWorkspace(files);
    dirs.push(ws);
    workspaces.set(s.sessionId, ws);
    return { ...s, root: ws.root };
  }

  it('decides from the stored rules: deny wins, then ask, then allow; every part of a list must be allowed', async () => {
    const team = await t.db.team.create({ data: { name: 't' } });
    const user = await t.db.user.create({ data: { email: `p${Math.random()}@x.test`, name: 'p' } });
    const [ws, other] = await Promise.all([0, 1].map(() => t.db.workspace.create({ data: { teamId: team.id, source: 'empty' } })));
    const session = await t.db.session.create({ data: { title: 's', teamId: team.id, ownerId: user.id, workspaceId: ws!.id } });
    const elsewhere = await t.db.session.create({ data: { title: 'o', teamId: team.id, ownerId: user.id, workspaceId: other!.id } });
    const add = (action: 'allow' | 'ask' | 'deny', pattern: string, workspaceId: string | null = null) =>
      addRule(t.db, { teamId: team.id, actorId: user.id, rule: { action, tool: 'run_command', pattern, workspaceId } });
    const allowNpm = await add('allow', 'npm *');
    const denyPublish = await add('deny', 'npm publish*');
    const askDeploy = await add('ask', 'npm run deploy*', ws!.id);
    await setPolicySettings(t.db, { teamId: team.id, actorId: user.id, settings: { ...DEFAULT_POLICY_SETTINGS, mediumAction: 'ask' } });
    const { policy } = teamPolicy({ db: t.db, log: silent, approvals: noApprovals, pause: () => true });
    const decide = (command: string, sessionId = session.id) => policy.decide(run(sessionId, command));

    expect(await decide('npm test')).toMatchObject({ decision: 'allow', rule: allowNpm.id, risk: 'medium' });
    expect(await decide('npm test && npm publish')).toMatchObject({ decision: 'deny', rule: denyPublish.id, by: denyPublish.id });
    expect(await decide('npm run deploy')).toMatchObject({ decision: 'ask', rule: askDeploy.id });
    // The workspace rule belongs to that workspace only.
    expect(await decide('npm run deploy', elsewhere.id)).toMatchObject({ decision: 'allow', rule: allowNpm.id });
    // One part no rule allows (touch is medium, and this team asks for medium): the line asks.
    expect(await decide('npm test && touch x')).toMatchObject({ decision: 'ask', rule: null, risk: 'medium' });
    // A change applies to the very next call: nothing is cached.
    await deleteRule(t.db, { teamId: team.id, actorId: user.id, id: denyPublish.id });
    expect(await decide('npm test && npm publish')).toMatchObject({ decision: 'ask', risk: 'high', rule: null });
    // "Test a command" gives the same answer and spells out the rule.
    expect(await explainCall(t.db, team.id, ws!.id, { tool: 'run_command', input: { command: 'npm run deploy --prod' } }))
      .toMatchObject({ decision: 'ask', risk: 'medium', rule: { id: askDeploy.id, action: 'ask', pattern: 'npm run deploy*', scope: 'workspace' } });
    expect(await explainCall(t.db, team.id, null, { tool: 'write_file', input: { path: '.github/workflows/ci.yml', content: '' } }))
      .toMatchObject({ decision: 'ask', risk: 'high', rule: null });
    expect((await policy.decide({ ...run(session.id, ''), tool: writeFile as AnyTool, input: { path: 'src/a.ts', content: 'x' } }))).toMatchObject({ decision: 'ask', risk: 'medium' });
  });

  it('pauses the run past N deletes in the window; resuming counts afresh', async () => {
    const s = await sessionIn({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    await setPolicySettings(t.db, { teamId: s.teamId, actorId: s.userId, settings: { ...DEFAULT_POLICY_SETTINGS, anomalyHighRisk: 2, anomalyDenials: 10, anomalyWindowSeconds: 600 } });
    const h = harness();
    server.script([cmd('rm a.txt'), cmd('rm b.txt'), cmd('rm c.txt')]);
    const sent = await h.service.send({ ...s, text: 'clean up' });
    const runId = (sent as { runId: string }).runId;
    await h.service.idle(s.sessionId);

    expect(server.requests).toHaveLength(3);
    expect(['a.txt', 'b.txt', 'c.txt'].map((f) => existsSync(path.join(s.root, f)))).toEqual([false, false, true]);
    const events = await eventsOf(t, s.sessionId);
    const results = payloadsOf<EventPayload<'agent.tool.result'>>(events, 'agent.tool.result');
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2]!.output).toMatch(/paused: more than 2 high-risk requests or deletes within 10 minutes/);
    expect(payloadsOf<EventPayload<'agent.policy.decision'>>(events, 'agent.policy.decision').at(-1)).toMatchObject({ decision: 'deny', by: ANOMALY_DECIDER });
    expect(payloadsOf<EventPayload<'agent.run.paused'>>(events, 'agent.run.paused')).toEqual([{
      runId, lastStep: 3, reason: 'more than 2 high-risk requests or deletes within 10 minutes',
      anomaly: { kind: 'high_risk', count: 3, limit: 2, windowSeconds: 600 },
    }]);
    expect(payloadsOf(events, 'agent.run.ended')).toEqual([]);
    expect((await t.db.agentRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe('paused');
    const audit = await t.db.auditEntry.findMany({ where: { teamId: s.teamId, action: 'policy.anomaly' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: s.sessionId, actorId: null, detail: { runId, startedBy: s.userId, kind: 'high_risk', count: 3, limit: 2 } });

    server.script([cmd('rm c.txt'), { text: 'Done.' }]);
    expect(await h.service.resume(s.sessionId, runId)).toEqual({ ok: true });
    await h.service.idle(s.sessionId);
    expect(existsSync(path.join(s.root, 'c.txt'))).toBe(false);
    expect((await t.db.agentRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe('completed');
  });

  it('pauses the run after M denials in a row, whether a rule or the approval gate denied', async () => {
    const s = await sessionIn();
    await setPolicySettings(t.db, { teamId: s.teamId, actorId: s.userId, settings: { ...DEFAULT_POLICY_SETTINGS, anomalyDenials: 3 } });
    await addRule(t.db, { teamId: s.teamId, actorId: s.userId, rule: { action: 'deny', tool: 'run_command', pattern: 'curl*' } });
    const h = harness();
    // The second call is high risk: asked, and refused by the gate (no one can approve here).
    server.script([cmd('curl http://example.invalid/x.sh'), cmd('rm -rf src'), cmd('curl http://example.invalid/y.sh')]);
    const sent = await h.service.send({ ...s, text: 'install it' });
    await h.service.idle(s.sessionId);

    expect(server.requests).toHaveLength(3);
    const events = await eventsOf(t, s.sessionId);
    expect(payloadsOf<EventPayload<'agent.tool.result'>>(events, 'agent.tool.result').map((r) => r.ok)).toEqual([false, false, false]);
    expect(payloadsOf<EventPayload<'agent.run.paused'>>(events, 'agent.run.paused')).toEqual([{
      runId: (sent as { runId: string }).runId, lastStep: 3, reason: '3 denials in a row', anomaly: { kind: 'denials', count: 3, limit: 3, windowSeconds: null },
    }]);
  });

  it('leaves ordinary work alone', async () => {
    const s = await sessionIn({ 'a.txt': 'a' });
    const h = harness();
    server.script([cmd('cat a.txt'), cmd('rm a.txt'), { text: 'Removed it.' }]);
    await h.service.send({ ...s, text: 'remove a.txt' });
    await h.service.idle(s.sessionId);
    const events = await eventsOf(t, s.sessionId);
    expect(payloadsOf<EventPayload<'agent.run.ended'>>(events, 'agent.run.ended')).toMatchObject([{ outcome: 'completed', steps: 3 }]);
    expect(payloadsOf(events, 'agent.run.paused')).toEqual([]);
  });
});
