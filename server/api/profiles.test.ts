// The task profiles API over HTTP: members see the team's profiles and pick one per message;
// only admins create, change or delete them, and a profile's rules can only narrow the team's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import { BUILTIN_PROFILES } from '../agent/profiles/builtins.ts';

const ask = BUILTIN_PROFILES.find((p) => p.name === 'ask')!;

describe.each(testProviders)('task profiles API on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  beforeAll(async () => {
    app = await startTestApp(provider);
    ({ admin, member } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); });

  it('lists the five built-in profiles to a member', async () => {
    const r = await member.query('profiles.list');
    expect(r.error).toBeNull();
    expect((r.data as { name: string; builtIn: boolean }[]).map((p) => [p.name, p.builtIn])).toEqual([
      ['ask', true], ['plan', true], ['build', true], ['review', true], ['release', true],
    ]);
  });

  it('refuses a member who creates a profile or widens one, and leaves the stored one as it was', async () => {
    const widened = { ...ask, spec: { ...ask.spec, tools: ['*'], paths: { read: ['**'], write: ['**'] }, commands: [] } };
    const r = await member.mutate('profiles.save', widened);
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('FORBIDDEN');
    expect((await member.mutate('profiles.save', { name: 'mine', description: '', spec: widened.spec })).status).toBe(403);
    expect((await member.mutate('profiles.delete', { name: 'ask' })).status).toBe(403);
    const stored = ((await member.query('profiles.list')).data as { name: string; spec: unknown }[]);
    expect(stored.find((p) => p.name === 'ask')!.spec).toEqual(ask.spec);
    expect(stored.map((p) => p.name)).not.toContain('mine');
  });

  it('lets an admin save a profile, but its rules may only ask or deny (never allow past the team)', async () => {
    const allow = await admin.mutate('profiles.save', { name: 'docs', description: 'docs only', spec: { ...ask.spec, rules: [{ action: 'allow', tool: 'run_command', pattern: '*' }] } });
    expect(allow.status).toBe(400);
    const escape = await admin.mutate('profiles.save', { name: 'docs', description: '', spec: { ...ask.spec, paths: { read: ['../**'], write: [] } } });
    expect(escape.status).toBe(400);
    expect(escape.error?.message).toMatch(/relative to the workspace root/);
    const ok = await admin.mutate('profiles.save', { name: 'docs', description: 'docs only', spec: { ...ask.spec, paths: { read: ['docs/**'], write: ['docs/**'] }, rules: [{ action: 'deny', tool: 'run_command', pattern: 'git *' }] } });
    expect(ok.error).toBeNull();
    expect(ok.data).toMatchObject({ name: 'docs', builtIn: false });
    const del = await admin.mutate('profiles.delete', { name: 'build' });
    expect(del.status).toBe(412);
    expect(del.error?.message).toMatch(/built-in profile/);
  });

  it('"test a command" under a profile names the layer that decided', async () => {
    const scope = await admin.mutate('policy.test', { tool: 'run_command', input: { command: 'rm -rf src' }, profile: 'ask' });
    expect(scope.data).toMatchObject({ decision: 'deny', by: 'profile-scope:ask', layer: 'profile scope' });
    const rule = await admin.mutate('policy.test', { tool: 'git', input: { action: 'push' }, profile: 'review' });
    expect(rule.data).toMatchObject({ decision: 'deny', layer: 'profile rule', rule: { id: 'profile:review#1', scope: 'profile' } });
    expect((await admin.mutate('policy.test', { tool: 'run_command', input: { command: 'ls' }, profile: 'nope' })).error?.code).toBe('NOT_FOUND');
  });

  it('refuses a message under a profile the team does not have', async () => {
    const created = await member.mutate('sessions.create', { title: 'p' });
    const sessionId = (created.data as { id: string }).id;
    const r = await member.mutate('agent.send', { sessionId, text: 'hi', profile: 'nope' });
    expect(r.status).toBe(412);
    expect(r.error?.message).toBe('The team has no task profile named nope.');
  });

  it('shows an admin tokens and cost per profile', async () => {
    const r = await admin.query('profiles.usage', {});
    expect(r.error).toBeNull();
    expect(Array.isArray(r.data)).toBe(true);
  });
});
