// The pipeline in the real agent: real service and loop, real AI SDK client against the
// scripted model server (which records every prompt), a real sandboxed workspace. A rule the
// user gave in the first message is still in the prompt long after that message fell out of
// the budget, and editing it in memory changes the very next prompt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentHarness, eventsOf, payloadsOf, seedSession } from '../../../test/support/agent-harness.ts';
import { createTestDb, testProviders, type TestDb } from '../../../test/support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../../test/support/scripted-model-server.ts';
import type { EventPayload } from '../../sessions/event-types.ts';
import type { LocalProvider } from '../../workspace/local-provider.ts';
import { tempProvider, uidBase } from '../../workspace/testing.ts';
import type { AgentWorkspace } from '../tools/tool.ts';
import { agentWorkspace } from '../workspace-adapter.ts';
import { MemoryStore } from './memory.ts';

const TURNS = 60;
/**
 * With the reply reserve (a quarter) and the tool schemas (~1,400 tokens) taken off, about 3,000
 * tokens of prompt: room for memory and the newest turn, whose latest tool output (one module,
 * ~2,000 tokens) always stays verbatim, but not for the 60 turns.
 */
const CONTEXT_WINDOW = 6_000;
const moduleText = (i: number) => Array.from({ length: 80 }, (_, k) => `export const m${i}_${k} = ${k} * ${i}; // helper number ${k} of module ${i}`).join('\n');

let server: ScriptedModelServer;
let local: { provider: LocalProvider; cleanup(): Promise<void> };
beforeAll(async () => { server = await startScriptedModelServer(); local = await tempProvider(); });
afterAll(async () => { await server.close(); await local.cleanup(); });

describe.each(testProviders)('context pipeline in the agent on %s', (dbProvider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(dbProvider); });
  afterAll(async () => { await t?.cleanup(); });

  it('keeps a constraint from the first message in every prompt, and an edit to it reaches the next one', { timeout: 240_000 }, async () => {
    server.requests.length = 0;
    const s = await seedSession(t);
    const ws = await local.provider.create({ id: `ctx-${dbProvider}`, source: { kind: 'empty' }, networkAllowed: false, uid: uidBase() + (dbProvider === 'sqlite' ? 7 : 8) });
    for (let i = 1; i <= TURNS; i++) await ws.files.write(`m${i}.ts`, moduleText(i));
    const workspaces = new Map<string, AgentWorkspace>([[s.sessionId, agentWorkspace(ws)]]);
    const h = agentHarness(t, server, { workspaces, contextSettings: new Map([['openai:m', CONTEXT_WINDOW]]) });
    const ask = async (text: string, i: number) => {
      server.script('m', [{ toolCalls: [{ name: 'read_file', input: { path: `m${i}.ts` } }] }, { text: `Module ${i} looks fine.` }]);
      await h.service.send({ ...s, text });
      await h.service.idle(s.sessionId);
    };

    await ask('Never modify package.json in this project. Start by reading m1.ts.', 1);
    for (let i = 2; i <= TURNS; i++) await ask(`Now read m${i}.ts and tell me what it does.`, i);

    const system = (r: (typeof server.requests)[number]) => String((r.body.messages as { role: string; content: unknown }[]).find((m) => m.role === 'system')?.content);
    const wire = (r: (typeof server.requests)[number]) => JSON.stringify(r.body.messages);
    const last = server.requests.at(-1)!;
    // The first message itself is long gone from the turns…
    expect(wire(last)).not.toContain('Start by reading m1.ts');
    // …but the rule it stated is in every prompt, with a link to the message it came from.
    const events = await eventsOf(t, s.sessionId);
    const firstMessage = events.find((e) => e.type === 'user.message')!;
    expect(system(last)).toContain(`Never modify package.json in this project. (#${firstMessage.seq})`);
    expect(server.requests.every((r) => system(r).includes('Never modify package.json in this project.'))).toBe(true);

    // Each model call has its report: within budget, and saying what it dropped.
    const reports = payloadsOf<EventPayload<'agent.prompt.report'>>(events, 'agent.prompt.report');
    expect(reports).toHaveLength(server.requests.length);
    expect(reports.every((r) => r.report.budgetTokens < CONTEXT_WINDOW && r.report.totalTokens <= r.report.budgetTokens)).toBe(true);
    expect(reports.at(-1)!.report.dropped.find((d) => d.ref.startsWith('turns:'))?.reason).toContain('oldest turn');

    // A person edits the rule in memory: the next prompt carries the new wording only.
    const store = new MemoryStore(t.db, h.events);
    const rule = (await store.list(s.sessionId)).find((m) => m.text.startsWith('Never modify package.json'))!;
    await store.edit(s.sessionId, rule.id, 'Never modify package.json or tsconfig.json.', { kind: 'user', id: s.userId });
    await ask('Read m2.ts again.', 2);
    expect(system(server.requests.at(-1)!)).toContain('Never modify package.json or tsconfig.json.');
    expect(system(server.requests.at(-1)!)).not.toContain('Never modify package.json in this project.');
    expect(server.pending()).toBe(0);
  });
});
