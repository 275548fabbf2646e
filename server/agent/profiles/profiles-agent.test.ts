// Task profiles in the agent loop, end to end: the scripted model server (real AI SDK clients),
// the real policy engine, a real sandboxed workspace. Out-of-scope calls are denied (not asked),
// the model reads why and the run goes on; tools outside the profile are not offered; each
// profile's route chain, with its own fallback, serves its runs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../../../test/support/db.ts';
import { agentHarness, eventsOf, payloadsOf, seedSession } from '../../../test/support/agent-harness.ts';
import { startScriptedModelServer, type RecordedRequest, type ScriptedModelServer } from '../../../test/support/scripted-model-server.ts';
import { tempProvider, uidBase } from '../../workspace/testing.ts';
import type { LocalProvider } from '../../workspace/local-provider.ts';
import type { EventPayload } from '../../sessions/event-types.ts';
import { createPolicyHook, DEFAULT_POLICY_SETTINGS } from '../policy/engine.ts';
import type { AgentWorkspace } from '../tools/tool.ts';
import { agentWorkspace } from '../workspace-adapter.ts';
import { BUILTIN_PROFILES } from './builtins.ts';
import { saveProfile } from './store.ts';
import { profileUsage } from './usage.ts';

let server: ScriptedModelServer;
let local: { provider: LocalProvider; cleanup(): Promise<void> };
const workspaces = new Map<string, AgentWorkspace>();
let nextUid = uidBase() + 70;

beforeAll(async () => {
  server = await startScriptedModelServer();
  local = await tempProvider();
});
afterAll(async () => { await server.close(); await local.cleanup(); });
afterEach(() => { expect(server.pending()).toBe(0); server.requests.length = 0; });

const policy = createPolicyHook({ rules: async () => [], settings: async () => DEFAULT_POLICY_SETTINGS });
const offeredTools = (r: RecordedRequest) => (r.body.tools as { function: { name: string } }[]).map((t) => t.function.name);
const build = BUILTIN_PROFILES.find((p) => p.name === 'build')!;

describe.each(testProviders)('task profiles in the agent loop on %s', (dbProvider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(dbProvider); });
  afterAll(async () => { await t?.cleanup(); });

  async function project(sessionId: string, files: Record<string, string>) {
    const ws = await local.provider.create({ id: `ws${nextUid}`, source: { kind: 'empty' }, networkAllowed: false, uid: nextUid++ });
    for (const [name, content] of Object.entries(files)) {
      if (name.includes('/')) await ws.files.createDir(path.dirname(name));
      await ws.files.write(name, content);
    }
    workspaces.set(sessionId, agentWorkspace(ws));
    return ws.files.root;
  }

  it('an ask run is offered no write tools; its write and rm are denied as out of scope, and the run goes on', async () => {
    const s = await seedSession(t);
    const root = await project(s.sessionId, { 'notes.txt': 'keep me\n' });
    const h = agentHarness(t, server, { workspaces, policy });
    server.script('m', [
      { toolCalls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'overwritten\n' } }] },
      { toolCalls: [{ name: 'run_command', input: { command: 'rm notes.txt' } }] },
      { toolCalls: [{ name: 'read_file', input: { path: 'notes.txt' } }] },
      { text: 'notes.txt says "keep me".' },
    ]);
    const sent = await h.service.send({ ...s, text: 'What does notes.txt say?', profile: 'ask' });
    expect(sent).toMatchObject({ ok: true });
    await h.service.idle(s.sessionId);

    expect(offeredTools(server.requests[0]!)).toEqual(['read_file', 'list_dir', 'search', 'run_command']);
    const events = await eventsOf(t, s.sessionId);
    const decisions = payloadsOf<EventPayload<'agent.policy.decision'>>(events, 'agent.policy.decision');
    expect(decisions.map((d) => [d.decision, d.by])).toEqual([['deny', 'profile-scope:ask'], ['deny', 'profile-scope:ask'], ['allow', 'classifier']]);
    expect(decisions[0]!.reason).toBe("outside the ask task's scope: the write_file tool is not one of its tools (read_file, list_dir, search, run_command)");
    expect(decisions[1]!.reason).toBe("outside the ask task's scope: `rm notes.txt` is not one of the commands it may run");
    const results = payloadsOf<EventPayload<'agent.tool.result'>>(events, 'agent.tool.result');
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    // The model is told why, in the tool result it gets back.
    expect(JSON.stringify(server.requests[1]!.body.messages)).toContain("outside the ask task's scope");
    expect(await readFile(path.join(root, 'notes.txt'), 'utf8')).toBe('keep me\n');
    expect(payloadsOf<EventPayload<'agent.run.started'>>(events, 'agent.run.started')[0]!.profile).toBe('ask');
    expect(payloadsOf<EventPayload<'agent.run.ended'>>(events, 'agent.run.ended')[0]!.outcome).toBe('completed');
    expect((await t.db.agentRun.findUniqueOrThrow({ where: { id: (sent as { runId: string }).runId } })).profile).toBe('ask');
  }, 90_000);

  it('a build profile with !infra/** refuses writes to infra/main.tf through every tool and command', async () => {
    const s = await seedSession(t);
    await saveProfile(t.db, { teamId: s.teamId, actorId: s.userId, profile: { ...build, spec: { ...build.spec, paths: { read: ['**'], write: ['**', '!infra/**'] } } } });
    const root = await project(s.sessionId, { 'infra/main.tf': 'resource "x" {}\n', a: 'a\n' });
    const h = agentHarness(t, server, { workspaces, policy });
    const blocked = [
      { name: 'write_file', input: { path: 'infra/main.tf', content: 'x' } },
      { name: 'edit_file', input: { path: 'infra/main.tf', oldString: 'resource', newString: 'x' } },
      { name: 'run_command', input: { command: 'echo x > infra/main.tf' } },
      { name: 'run_command', input: { command: "sed -i 's/resource/x/' infra/main.tf" } },
      { name: 'run_command', input: { command: 'cp a infra/' } },
      { name: 'run_command', input: { command: 'cd infra && echo x >> main.tf' } },
    ];
    server.script('m', [
      ...blocked.map((c) => ({ toolCalls: [c] })),
      { toolCalls: [{ name: 'run_command', input: { command: 'echo ok > b && cp a c' } }] },
      { text: 'Done.' },
    ]);
    await h.service.send({ ...s, text: 'Change the infrastructure.', profile: 'build' });
    await h.service.idle(s.sessionId);

    const decisions = payloadsOf<EventPayload<'agent.policy.decision'>>(await eventsOf(t, s.sessionId), 'agent.policy.decision');
    expect(decisions.map((d) => d.decision)).toEqual([...blocked.map(() => 'deny'), 'allow']);
    for (const d of decisions.slice(0, blocked.length)) {
      expect(d.by).toBe('profile-scope:build');
      expect(d.reason).toMatch(/^outside the build task's scope: writes .*infra.* is not in its write paths \(\*\*, !infra\/\*\*\)$/);
    }
    expect(await readFile(path.join(root, 'infra/main.tf'), 'utf8')).toBe('resource "x" {}\n');
    expect(await readFile(path.join(root, 'b'), 'utf8')).toBe('ok\n');
  }, 120_000);

  it('runs under two profiles go to their own models, and a profile\'s fallback engages on a 500', async () => {
    const s = await seedSession(t);
    await project(s.sessionId, {});
    const route = (chain: string[]) => ({ ...build.spec, route: { chain, extraction: [] } });
    await saveProfile(t.db, { teamId: s.teamId, actorId: s.userId, profile: { name: 'fast', description: '', spec: route(['openai:model-a']) } });
    await saveProfile(t.db, { teamId: s.teamId, actorId: s.userId, profile: { name: 'careful', description: '', spec: route(['openai:model-b', 'anthropic:model-b-fallback']) } });
    const h = agentHarness(t, server, { workspaces, policy, routes: 'openai:m' });
    server.script('model-a', [{ text: 'a' }]);
    server.script('model-b', [{ fail: 'http', status: 500, message: 'overloaded' }]);
    server.script('model-b-fallback', [{ text: 'b' }]);

    await h.service.send({ ...s, text: 'one', profile: 'fast' });
    await h.service.idle(s.sessionId);
    expect(server.requests.map((r) => r.model)).toEqual(['model-a']);
    await h.service.send({ ...s, text: 'two', profile: 'careful' });
    await h.service.idle(s.sessionId);
    expect(server.requests.map((r) => r.model)).toEqual(['model-a', 'model-b', 'model-b-fallback']);
    const messages = payloadsOf<EventPayload<'agent.message'>>(await eventsOf(t, s.sessionId), 'agent.message');
    expect(messages.map((m) => [m.text, m.route])).toEqual([['a', 'openai:model-a'], ['b', 'anthropic:model-b-fallback']]);
  }, 90_000);

  it('meters tokens per profile and user, and stops a profile whose daily quota is used up without touching other profiles', async () => {
    const s = await seedSession(t);
    await project(s.sessionId, {});
    await saveProfile(t.db, { teamId: s.teamId, actorId: s.userId, profile: { name: 'metered', description: '', spec: { ...build.spec, limits: { ...build.spec.limits, userDailyTokens: 1000 } } } });
    const h = agentHarness(t, server, { workspaces, policy });
    server.script('m', [{ text: 'first', usage: { input: 1400, output: 100 } }, { text: 'under build', usage: { input: 10, output: 5 } }]);
    await h.service.send({ ...s, text: 'one', profile: 'metered' });
    await h.service.idle(s.sessionId);
    await h.service.send({ ...s, text: 'two', profile: 'metered' });
    await h.service.idle(s.sessionId);
    await h.service.send({ ...s, text: 'three', profile: 'build' });
    await h.service.idle(s.sessionId);

    const ended = payloadsOf<EventPayload<'agent.run.ended'>>(await eventsOf(t, s.sessionId), 'agent.run.ended');
    expect(ended.map((e) => e.outcome)).toEqual(['completed', 'quota', 'completed']);
    expect(ended[1]!.message).toBe("Stopped: the user's daily quota for the metered profile, 1000 tokens, is used up (1500 used). It resets at midnight UTC; another profile or an admin can help sooner.");
    const usage = await profileUsage(t.db, s.teamId, new Date(Date.now() - 60_000));
    expect(usage.map((u) => [u.profile, u.userId, u.runs, u.inputTokens + u.outputTokens])).toEqual([['build', s.userId, 1, 15], ['metered', s.userId, 2, 1500]]);
  }, 90_000);

  it("a profile's route chain sets the prompt budget from its own routes' context windows", async () => {
    const s = await seedSession(t);
    await project(s.sessionId, {});
    await saveProfile(t.db, { teamId: s.teamId, actorId: s.userId, profile: { name: 'small', description: '', spec: { ...build.spec, route: { chain: ['openai:model-small'], extraction: [] } } } });
    const h = agentHarness(t, server, { workspaces, policy, routes: 'openai:m', contextSettings: new Map([['openai:m', 200_000], ['openai:model-small', 16_000]]) });
    server.script('model-small', [{ text: 'ok' }]);
    await h.service.send({ ...s, text: 'Say ok.', profile: 'small' });
    await h.service.idle(s.sessionId);

    const [report] = payloadsOf<EventPayload<'agent.prompt.report'>>(await eventsOf(t, s.sessionId), 'agent.prompt.report');
    expect(report!.budget).toMatchObject({ route: 'openai:model-small', contextTokens: 16_000 });
  }, 90_000);

  it("a profile's extraction route serves its runs' memory extraction", async () => {
    const s = await seedSession(t);
    await project(s.sessionId, {});
    await saveProfile(t.db, { teamId: s.teamId, actorId: s.userId, profile: { name: 'recall', description: '', spec: { ...build.spec, route: { chain: [], extraction: ['openai:extractor'] } } } });
    const h = agentHarness(t, server, { workspaces, policy, routes: 'openai:m', extraction: true });
    server.script('extractor', [{ text: '{"items":[{"kind":"goal","text":"Say ok.","sourceSeqs":[1],"confidence":0.9,"supersedes":[]}]}' }]);
    server.script('m', [{ text: 'ok' }]);
    await h.service.send({ ...s, text: 'Say ok.', profile: 'recall' });
    await h.service.idle(s.sessionId);

    expect(server.requests.map((r) => r.model)).toEqual(['extractor', 'm']);
  }, 90_000);

  it("stops a run at its profile's wall-clock limit inside a long command, and says so on the call and the run", async () => {
    const s = await seedSession(t);
    await project(s.sessionId, {});
    await saveProfile(t.db, { teamId: s.teamId, actorId: s.userId, profile: { name: 'brief', description: '', spec: { ...build.spec, limits: { ...build.spec.limits, wallClockSeconds: 10 } } } });
    const h = agentHarness(t, server, { workspaces, policy });
    server.script('m', [{ toolCalls: [{ name: 'run_command', input: { command: 'sleep 100' } }] }]);
    const started = Date.now();
    const sent = await h.service.send({ ...s, text: 'Wait a while.', profile: 'brief' });
    await h.service.idle(s.sessionId);

    expect(Date.now() - started).toBeLessThan(60_000);
    const limit = "The run reached the brief profile's wall-clock limit of 10 s. Send a message to continue.";
    const events = await eventsOf(t, s.sessionId);
    const [result] = payloadsOf<EventPayload<'agent.tool.result'>>(events, 'agent.tool.result');
    expect(result!.ok).toBe(false);
    expect(result!.output.startsWith(`Cut short: ${limit}`)).toBe(true);
    expect(payloadsOf<EventPayload<'agent.run.ended'>>(events, 'agent.run.ended')).toEqual([{ runId: (sent as { runId: string }).runId, outcome: 'stopped', steps: 1, message: limit }]);
    expect(await t.db.agentRun.findUniqueOrThrow({ where: { id: (sent as { runId: string }).runId } })).toMatchObject({ status: 'stopped', reason: limit });
  }, 150_000);

  it('refuses a profile the team does not have', async () => {
    const s = await seedSession(t);
    const h = agentHarness(t, server, { workspaces, policy });
    expect(await h.service.send({ ...s, text: 'x', profile: 'nope' })).toEqual({ ok: false, error: 'The team has no task profile named nope.' });
  });
});
