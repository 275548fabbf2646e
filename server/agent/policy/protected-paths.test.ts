// Protected paths (.git hooks and config, CI config, .tether/): an agent write there is high
// risk and marked "protected path" in the decision, the approval a person sees, and the event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../../test/support/app.ts';
import { builtinTools } from '../tools/registry.ts';
import { createPolicyHook, DEFAULT_POLICY_SETTINGS, evaluate } from './engine.ts';

const write = (path: string) => ({ tool: 'write_file', input: { path, content: 'x' } });
const run = (command: string) => ({ tool: 'run_command', input: { command } });

describe('protected paths in the policy', () => {
  it.each([
    write('.tether/release-allow'), write('.tether'), write('sub/.tether/settings.json'),
    write('.git/hooks/pre-commit'), write('.git/config'), write('.github/workflows/ci.yml'), write('.gitlab-ci.yml'), write('.husky/pre-push'),
    run('echo "dist/**" >> .tether/release-allow'), run('cp evil.sh .git/hooks/post-checkout'), run('sed -i s/a/b/ .git/config'),
    { tool: 'edit_file', input: { path: '.circleci/config.yml', oldString: 'a', newString: 'b' } },
  ])('an agent write is high risk and protected: %j', async (call) => {
    const v = await evaluate(call, [], DEFAULT_POLICY_SETTINGS);
    expect(v).toMatchObject({ decision: 'ask', risk: 'high', protectedPath: true });
  });

  it.each([write('src/index.ts'), run('cat .git/config'), run('ls .tether'), { tool: 'read_file', input: { path: '.tether/release-allow' } }])(
    'reads and ordinary writes are not protected-path calls: %j', async (call) => {
      const v = await evaluate(call, [], DEFAULT_POLICY_SETTINGS);
      expect(v.protectedPath).toBe(false);
      expect(v.risk).not.toBe('high');
    });

  it('the hook the agent loop calls passes the mark on to the recorded decision', async () => {
    const hook = createPolicyHook({ rules: async () => [], settings: async () => DEFAULT_POLICY_SETTINGS });
    const writeFile = builtinTools.find((t) => t.name === 'write_file')!;
    const call = (path: string) => ({ sessionId: 's', runId: 'r', userId: 'u', tool: writeFile, input: { path, content: 'x' }, highRisk: null });
    expect(await hook.decide(call('.git/hooks/pre-commit'))).toMatchObject({ decision: 'ask', risk: 'high', protectedPath: true });
    expect(await hook.decide(call('src/a.ts'))).not.toHaveProperty('protectedPath');
  });

  it('other far-reaching writes stay high without the protected badge', async () => {
    for (const call of [write('.bashrc'), write('package-lock.json'), run('rm -rf src')]) {
      expect(await evaluate(call, [], DEFAULT_POLICY_SETTINGS)).toMatchObject({ risk: 'high', protectedPath: false });
    }
  });
});

describe('the protected-path badge in approvals', () => {
  let app: TestApp;
  let admin: ApiClient;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    ({ admin } = await setupAdminAndMember(app));
  }, 60_000);
  afterAll(async () => { await app?.close(); });

  it('approvals.list marks a call writing .tether/ as protected, and an ordinary one not', async () => {
    const userId = ((await admin.query('auth.status')).data as { user: { id: string } }).user.id;
    const sessionId = ((await admin.mutate('sessions.create', { title: 'protected' })).data as { id: string }).id;
    const writeFile = builtinTools.find((t) => t.name === 'write_file')!;
    const controller = new AbortController();
    for (const [callId, path] of [['c-protected', '.tether/release-allow'], ['c-plain', 'src/a.ts']] as const) {
      const v = await evaluate(write(path), [], { mediumAction: 'ask' });
      void app.services.approvals.request({
        sessionId, runId: 'run-protected', userId, tool: writeFile, input: write(path).input, highRisk: null, callId,
        decision: { decision: 'ask', reason: v.reason, by: v.by, risk: v.risk, rule: null, commands: [] },
      }, controller.signal);
    }
    await expect.poll(async () => (await app.testDb.db.approval.count({ where: { sessionId } }))).toBe(2);
    const listed = (await admin.query('approvals.list', { sessionId })).data as { callId: string; protectedPath: boolean; risk: string }[];
    expect(Object.fromEntries(listed.map((a) => [a.callId, [a.risk, a.protectedPath]]))).toEqual({ 'c-protected': ['high', true], 'c-plain': ['medium', false] });
    controller.abort('stopped by user');
  });
});
