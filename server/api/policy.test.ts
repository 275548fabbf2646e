// The policy API over HTTP: admins change rules and settings (validated, audited), members read
// what applies to their own sessions only, and "test a command" answers like the agent's policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../test/support/scripted-model-server.ts';

describe.each(testProviders)('policy API on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  beforeAll(async () => {
    app = await startTestApp(provider);
    ({ admin, member } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); });

  it('adds, reorders, updates and deletes team rules, and test a command names the rule that decided', async () => {
    const a = await admin.mutate('policy.addRule', { action: 'allow', tool: 'run_command', pattern: '  npm test*  ', note: 'tests are fine' });
    expect(a.error).toBeNull();
    expect(a.data).toMatchObject({ action: 'allow', tool: 'run_command', pattern: 'npm test*', scope: 'team', position: 0 });
    const d = await admin.mutate('policy.addRule', { action: 'deny', tool: 'git', pattern: 'push*' });
    const ids = [(a.data as { id: string }).id, (d.data as { id: string }).id];

    const tested = await admin.mutate('policy.test', { tool: 'run_command', input: { command: 'npm test -- --watch=false' } });
    expect(tested.data).toMatchObject({ decision: 'allow', risk: 'medium', rule: { id: ids[0], pattern: 'npm test*', scope: 'team' } });
    const pushed = await admin.mutate('policy.test', { tool: 'git', input: { action: 'push' } });
    expect(pushed.data).toMatchObject({ decision: 'deny', rule: { id: ids[1], action: 'deny' } });
    const nothing = await admin.mutate('policy.test', { tool: 'run_command', input: { command: 'ls' } });
    expect(nothing.data).toMatchObject({ decision: 'allow', risk: 'low', rule: null, by: 'classifier' });

    expect((await admin.mutate('policy.reorderRules', { ids: [ids[1], ids[0]] })).error).toBeNull();
    expect(((await admin.query('policy.rules', {})).data as { id: string }[]).map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect((await admin.mutate('policy.reorderRules', { ids: [ids[0]] })).error?.code).toBe('CONFLICT');

    expect((await admin.mutate('policy.updateRule', { id: ids[1], action: 'ask' })).data).toMatchObject({ action: 'ask', pattern: 'push*' });
    const bad = await admin.mutate('policy.updateRule', { id: ids[0], tool: 'write_file', pattern: '../outside/**' });
    expect(bad.status).toBe(400);
    expect(bad.error?.message).toMatch(/relative to the workspace root/);
    expect((await admin.mutate('policy.deleteRule', { id: ids[0] })).data).toEqual({ id: ids[0] });
    expect((await admin.mutate('policy.deleteRule', { id: ids[0] })).error?.code).toBe('NOT_FOUND');
  });

  it('validates input with clear messages', async () => {
    const noPattern = await admin.mutate('policy.addRule', { action: 'allow', tool: 'run_command', pattern: ' ' });
    expect(noPattern.status).toBe(400);
    expect(noPattern.error?.message).toMatch(/a pattern is needed/);
    const unknownTool = await admin.mutate('policy.addRule', { action: 'allow', tool: 'launch_missiles', pattern: '*' });
    expect(unknownTool.status).toBe(400);
    const badAction = await admin.mutate('policy.addRule', { action: 'maybe', tool: 'run_command', pattern: '*' });
    expect(badAction.status).toBe(400);
    const badSettings = await admin.mutate('policy.setSettings', { mediumAction: 'ask', anomalyHighRisk: 0, anomalyDenials: 3, anomalyWindowSeconds: 5 });
    expect(badSettings.status).toBe(400);
    expect(badSettings.error?.message).toMatch(/At least 1/);
    expect(badSettings.error?.message).toMatch(/At least 10 seconds/);
    const foreignWorkspace = await admin.mutate('policy.addRule', { action: 'allow', tool: 'run_command', pattern: '*', workspaceId: 'nope' });
    expect(foreignWorkspace.error?.code).toBe('NOT_FOUND');
    const testStar = await admin.mutate('policy.test', { tool: '*', input: {} });
    expect(testStar.status).toBe(400);
  });

  it('saves settings with an audit entry; medium-risk calls then ask', async () => {
    const before = await admin.query('policy.settings');
    expect(before.data).toEqual({ mediumAction: 'allow', anomalyHighRisk: 5, anomalyDenials: 3, anomalyWindowSeconds: 600 });
    const next = { mediumAction: 'ask', anomalyHighRisk: 8, anomalyDenials: 4, anomalyWindowSeconds: 300 };
    expect((await admin.mutate('policy.setSettings', next)).data).toEqual(next);
    expect((await admin.mutate('policy.test', { tool: 'run_command', input: { command: 'touch x' } })).data).toMatchObject({ decision: 'ask', risk: 'medium' });
    await admin.mutate('policy.setSettings', { ...next, mediumAction: 'allow' });
  });

  it('lets a member read the rules that apply to their own session, and nobody else\'s', async () => {
    const mine = await member.mutate('sessions.create', { title: 'member work' });
    const theirs = await admin.mutate('sessions.create', { title: 'admin work' });
    const r = await member.query('policy.forSession', { sessionId: (mine.data as { id: string }).id });
    expect(r.error).toBeNull();
    expect(r.data).toMatchObject({ settings: { mediumAction: 'allow' } });
    expect((r.data as { rules: { tool: string }[] }).rules.map((x) => x.tool)).toContain('git');
    expect((await member.query('policy.forSession', { sessionId: (theirs.data as { id: string }).id })).error?.code).toBe('NOT_FOUND');
    expect((await member.mutate('policy.test', { tool: 'run_command', input: { command: 'ls' } })).status).toBe(403);
    expect((await app.api.query('policy.forSession', { sessionId: (mine.data as { id: string }).id })).status).toBe(401);
  });
});

describe('the server\'s agent under the stored policy', () => {
  let app: TestApp;
  let model: ScriptedModelServer;
  let admin: ApiClient;
  let member: ApiClient;
  beforeAll(async () => {
    model = await startScriptedModelServer();
    app = await startTestApp('sqlite', { TETHER_MODELS: 'openai:m', OPENAI_API_KEY: 'sk-scripted-test-key', OPENAI_BASE_URL: model.baseUrl });
    ({ admin, member } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); await model?.close(); });

  type Event = { type: string; payload: Record<string, unknown> };
  async function eventsUntil(sessionId: string, type: string): Promise<Event[]> {
    for (let i = 0; i < 200; i++) {
      const events = (await member.query('sessions.events', { sessionId })).data as Event[];
      if (events.some((e) => e.type === type)) return events;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${type} event`);
  }

  it('denies a call by an admin\'s rule, and a denial past the team\'s limit pauses the run', async () => {
    const rule = (await admin.mutate('policy.addRule', { action: 'deny', tool: 'run_command', pattern: 'cat secret*', note: 'not the secrets' })).data as { id: string };
    await admin.mutate('policy.setSettings', { mediumAction: 'allow', anomalyHighRisk: 5, anomalyDenials: 1, anomalyWindowSeconds: 600 });
    const { id } = await createProvisionedSession(member);
    model.script([{ toolCalls: [{ name: 'run_command', input: { command: 'cat secret.txt' } }] }]);
    expect((await member.mutate('agent.send', { sessionId: id, text: 'show me the secret' })).error).toBeNull();

    const events = await eventsUntil(id, 'agent.run.paused');
    expect(events.find((e) => e.type === 'agent.policy.decision')?.payload).toMatchObject({ decision: 'deny', by: rule.id, rule: rule.id });
    expect(events.find((e) => e.type === 'agent.tool.result')?.payload).toMatchObject({ ok: false, output: expect.stringMatching(/denied.*deny run_command\(cat secret\*\)/) });
    expect(events.find((e) => e.type === 'agent.run.paused')?.payload).toMatchObject({ reason: '1 denial in a row', anomaly: { kind: 'denials', count: 1, limit: 1 } });
    expect(model.requests).toHaveLength(1);
    const status = (await member.query('agent.status', { sessionId: id })).data as { recent: { status: string; reason: string }[] };
    expect(status.recent[0]).toMatchObject({ status: 'paused', reason: '1 denial in a row' });
    const anomalies = await admin.query('policy.anomalies');
    expect(anomalies.data).toMatchObject([{ sessionId: id, sessionTitle: 'test session', kind: 'denials', count: 1, limit: 1, reason: '1 denial in a row', tool: 'run_command' }]);
  });
});
