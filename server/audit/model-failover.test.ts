import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModelServer, type ScriptedModelServer } from '../../test/support/scripted-model-server.ts';
import { createTestDb, testProviders, type TestDb } from '../../test/support/db.ts';
import { ModelRouter } from '../models/router.ts';
import { parseRouteList } from '../models/routes.ts';
import { recordFailover } from './model-failover.ts';
import { verifyTeamChain } from './verify.ts';

describe.each(testProviders)('model failovers in the team audit on %s', (provider) => {
  let t: TestDb;
  let server: ScriptedModelServer;
  beforeAll(async () => { t = await createTestDb(provider); server = await startScriptedModelServer(); });
  afterAll(async () => { await server?.close(); await t?.cleanup(); });

  const router = (list: string) => new ModelRouter({
    credentials: { openaiApiKey: 'k', openaiBaseUrl: server.baseUrl, anthropicApiKey: 'k', anthropicBaseUrl: server.baseUrl },
    routes: { routes: async () => ({ routes: parseRouteList(list), source: 'environment' }) },
    log: pino({ level: 'silent' }), firstTokenTimeoutMs: 5000,
    onFailover: (f) => recordFailover(t.db, f),
  });
  const run = async (r: ModelRouter, teamId: string) => {
    try { for await (const part of r.stream({ messages: [{ role: 'user', content: 'hi' }], usage: { teamId, sessionId: 's-1', runId: 'run-1', userId: 'u-1' } })) void part; } catch { /* the unavailable case throws by design */ }
  };

  it('records which route failed, how, and which answered; and a call no route answered', async () => {
    const team = await t.db.team.create({ data: { name: 't' } });
    server.script('primary', [{ fail: 'http', status: 503, message: 'overloaded' }]);
    server.script('backup', [{ text: 'from the backup' }]);
    await run(router('openai:primary,anthropic:backup'), team.id);
    server.script('primary', [{ fail: 'http', status: 500 }]);
    server.script('backup', [{ fail: 'http', status: 502 }]);
    await run(router('openai:primary,anthropic:backup'), team.id);

    const rows = await t.db.auditEntry.findMany({ where: { teamId: team.id }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.action, r.target, r.sessionId])).toEqual([['model.failover', 'anthropic:backup', 's-1'], ['model.unavailable', null, 's-1']]);
    const first = rows[0]!.detail as { failed: { route: string; error: string }[]; answeredBy: string; runId: string };
    expect(first.failed).toHaveLength(1);
    expect(first.failed[0]!.route).toBe('openai:primary');
    expect(first.failed[0]!.error).toMatch(/503|overloaded/i);
    expect(first).toMatchObject({ answeredBy: 'anthropic:backup', runId: 'run-1' });
    expect((rows[1]!.detail as { failed: unknown[] }).failed).toHaveLength(2);
    expect((await verifyTeamChain(t.db, team.id)).broken).toBeNull();
  });
});
