// The agent panel's transcript folded from the events a real run leaves behind: a tool call cut
// short by a server crash shows "interrupted" from the restart until Resume answers it.
// (Here rather than beside transcript.ts: server tests may not import the UI, and Vitest runs
// server/, scripts/ and test/.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cardStatus, transcript, type Item } from '../app/components/agent/transcript.ts';
import type { AgentWorkspace } from '../server/agent/tools/tool.ts';
import { agentHarness, eventsOf, seedSession } from './support/agent-harness.ts';
import { createDirWorkspace, type DirWorkspace } from './support/agent-workspace.ts';
import { createTestDb, testProviders, type TestDb } from './support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from './support/scripted-model-server.ts';

let server: ScriptedModelServer;
const workspaces = new Map<string, AgentWorkspace>();
const dirs: DirWorkspace[] = [];

beforeAll(async () => { server = await startScriptedModelServer(); });
afterAll(async () => { await server.close(); dirs.forEach((d) => d.cleanup()); });
afterEach(() => { expect(server.pending()).toBe(0); server.requests.length = 0; });

const cards = (items: Item[]) => items.flatMap((i) => (i.kind === 'tool' ? [{ tool: i.card.tool, status: cardStatus(i.card) }] : []));

describe.each(testProviders)('transcript after a crash on %s', (dbProvider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(dbProvider); });
  afterAll(async () => { await t?.cleanup(); });

  it('shows one line naming the route that failed, why, and the one that answered instead', async () => {
    const s = await seedSession(t);
    const dir = createDirWorkspace({ 'a.txt': 'a' });
    dirs.push(dir);
    workspaces.set(s.sessionId, dir);
    const h = agentHarness(t, server, { workspaces, routes: 'openai:primary,anthropic:backup' });
    server.script('primary', [{ fail: 'http', status: 503, message: 'overloaded' }]);
    server.script('backup', [{ text: 'Answered by the backup.' }]);
    await h.service.send({ ...s, text: 'hello' });
    await h.service.idle(s.sessionId);
    const items = transcript(await eventsOf(t, s.sessionId));
    const lines = items.flatMap((i) => (i.kind === 'notice' ? [i.text] : []));
    expect(lines).toEqual([expect.stringMatching(/^Model route openai:primary failed \(.*overloaded.*\); anthropic:backup answered instead\.$/)]);
    // The line comes after what the call was sent and before the reply it explains.
    expect(items.map((i) => i.kind)).toEqual(['user', 'prompt', 'notice', 'assistant', 'run-end']);
  });

  it('shows a tool call cut short by a crash as interrupted, until Resume answers it', async () => {
    const s = await seedSession(t);
    const dir = createDirWorkspace({ 'a.txt': 'a' });
    dirs.push(dir);
    workspaces.set(s.sessionId, dir);

    // The "crashed" process: its call is recorded as requested, then the process never answers
    // again (the policy hook never returns), as if it had been killed mid-call.
    let reachedPolicy!: () => void;
    const atPolicy = new Promise<void>((r) => { reachedPolicy = r; });
    const crashed = agentHarness(t, server, { workspaces, policy: { decide: () => { reachedPolicy(); return new Promise(() => {}); } } });
    server.script('m', [{ toolCalls: [{ id: 'ls1', name: 'list_dir', input: {} }] }]);
    const sent = await crashed.service.send({ ...s, text: 'what is here?' });
    await atPolicy;
    expect(cards(transcript(await eventsOf(t, s.sessionId)))).toEqual([{ tool: 'list_dir', status: 'running' }]);

    // The restarted process recovers: the run is interrupted, and so is its open tool card.
    const restarted = agentHarness(t, server, { workspaces });
    expect(await restarted.service.recover()).toEqual({ interrupted: 1 });
    const afterRestart = transcript(await eventsOf(t, s.sessionId));
    expect(cards(afterRestart)).toEqual([{ tool: 'list_dir', status: 'interrupted' }]);
    expect(afterRestart.some((i) => i.kind === 'notice' && i.resumable)).toBe(true);

    // Resume answers the open call first, then the run goes on.
    server.script('m', [{ text: 'One file: a.txt.' }]);
    expect(await restarted.service.resume(s.sessionId, (sent as { runId: string }).runId)).toEqual({ ok: true });
    await restarted.service.idle(s.sessionId);
    const resumed = transcript(await eventsOf(t, s.sessionId));
    expect(cards(resumed)).toEqual([{ tool: 'list_dir', status: 'done' }]);
    expect(resumed.at(-1)).toMatchObject({ kind: 'run-end', outcome: 'completed' });
  });
});
