// The extraction task end to end: with TETHER_MODELS_EXTRACTION set, the running server's memory
// pipeline calls that route (not the agent's), its proposal lands in memory, and its usage is
// metered as the extraction task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../test/support/scripted-model-server.ts';

describe('extraction route in the running server', () => {
  let app: TestApp;
  let admin: ApiClient;
  let model: ScriptedModelServer;
  beforeAll(async () => {
    model = await startScriptedModelServer();
    app = await startTestApp('sqlite', {
      TETHER_MODELS: 'compat:coder', TETHER_MODELS_EXTRACTION: 'compat:extractor',
      OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'test-key',
    });
    ({ admin } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); await model?.close(); });

  it('asks the extraction route, stores what it proposed, and meters it as extraction', async () => {
    const { id } = await createProvisionedSession(admin);
    const before = (await admin.query('sessions.events', { sessionId: id })).data as { seq: number }[];
    // agent.send records the user's message next; the proposal cites it.
    const userSeq = before.at(-1)!.seq + 1;
    const goal = 'Exports should finish within a coffee break';
    model.script('extractor', [{ text: JSON.stringify({ items: [{ kind: 'goal', text: goal, sourceSeqs: [userSeq], confidence: 0.8 }] }), usage: { input: 120, output: 30 } }]);
    model.script('coder', [{ text: 'Sure.', usage: { input: 300, output: 5 } }]);
    await admin.mutate('agent.send', { sessionId: id, text: 'Customers complain when exports take longer than a coffee break.' });

    for (let i = 0; i < 200; i++) {
      const events = (await admin.query('sessions.events', { sessionId: id })).data as { type: string }[];
      if (events.some((e) => e.type === 'agent.run.ended')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const items = (await admin.query('memory.list', { sessionId: id })).data as { kind: string; text: string; origin: string; sourceSeqs: number[] }[];
    expect(items).toContainEqual(expect.objectContaining({ kind: 'goal', text: goal, origin: 'model', sourceSeqs: [userSeq] }));
    expect(model.requests.map((r) => r.model)).toEqual(['extractor', 'coder']);

    const usage = (await admin.query('models.status')).data as { usage: { byTask: { task: string; calls: number; inputTokens: number }[] } };
    expect(usage.usage.byTask).toEqual([
      expect.objectContaining({ task: 'agent', calls: 1, inputTokens: 300 }),
      expect.objectContaining({ task: 'extraction', calls: 1, inputTokens: 120 }),
    ]);
  });
});
