import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';

describe('agent API without a configured model', () => {
  let app: TestApp;
  let member: ApiClient;
  let admin: ApiClient;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    ({ member, admin } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); });

  it('tells admins how to configure a model, and members only to ask an admin', async () => {
    const r = await member.query('models.configured');
    expect(r.data).toEqual({ configured: false, howTo: 'Ask an admin to configure a model.' });
    expect((await admin.query('models.configured')).data).toMatchObject({ configured: false, howTo: expect.stringMatching(/TETHER_MODELS=/) });
    const { id } = await createProvisionedSession(member);
    const status = await member.query('agent.status', { sessionId: id });
    expect(JSON.stringify(status.data)).not.toMatch(/TETHER_MODELS|API_KEY/);
    const s = await admin.query('models.status');
    expect((s.data as { tasks: unknown[] }).tasks).toMatchObject([{ task: 'agent', configured: false, routes: [] }, { task: 'extraction', configured: false, routes: [] }]);
  });

  it('a message ends its run as not configured, in words, instead of pretending to answer', async () => {
    const { id } = await createProvisionedSession(member);
    expect((await member.mutate('agent.send', { sessionId: id, text: 'hello?' })).error).toBeNull();
    let ended: { payload: { outcome: string; message?: string } } | undefined;
    for (let i = 0; !ended && i < 100; i++) {
      const events = (await member.query('sessions.events', { sessionId: id })).data as { type: string; payload: { outcome: string; message?: string } }[];
      ended = events.find((e) => e.type === 'agent.run.ended');
      if (!ended) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ended?.payload.outcome).toBe('not_configured');
    expect(ended?.payload.message).toMatch(/No model is configured/);
    expect(ended?.payload.message).not.toMatch(/TETHER_MODELS|API_KEY/);
    const events = (await member.query('sessions.events', { sessionId: id })).data as { type: string }[];
    expect(events.some((e) => e.type === 'agent.message')).toBe(false);
  });

  it('validates messages and refuses an empty one', async () => {
    const id = ((await member.mutate('sessions.create', { title: 'x', source: { kind: 'empty' } })).data as { id: string }).id;
    const r = await member.mutate('agent.send', { sessionId: id, text: '   ' });
    expect(r.status).toBe(400);
    expect(r.error?.message).toBe('Write a message first');
  });
});
