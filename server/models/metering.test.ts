import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../../test/support/db.ts';
import { startScriptedModelServer } from '../../test/support/scripted-model-server.ts';
import { contextWindowOf } from './context-windows.ts';
import { ModelRouter } from './router.ts';
import { UsageMeter, type QuotaLimits } from './metering.ts';
import { estimateCostUsd } from './pricing.ts';
import { parseRouteList } from './routes.ts';
import { RouteSettings } from './settings.ts';

const none: QuotaLimits = { userDailyTokens: 0, userDailyUsd: 0, teamDailyTokens: 0, teamDailyUsd: 0, runTokens: 0, runUsd: 0 };

describe.each(testProviders)('metering and route settings on %s', (provider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(provider); });
  afterAll(async () => { await t?.cleanup(); });

  it('sums usage per user, team and run, and enforces money and token quotas', async () => {
    let now = new Date('2026-03-01T23:00:00Z');
    const meter = new UsageMeter(t.db, { ...none, teamDailyUsd: 1, runTokens: 1000 }, () => now);
    const ctx = { userId: 'u1', teamId: 'team1', sessionId: 's1', runId: 'run1' };
    await meter.record({ route: 'anthropic:claude-sonnet-4-5', context: ctx, inputTokens: 600, outputTokens: 100, costUsd: 0.6, outcome: 'ok' });
    expect(await meter.checkQuota(ctx)).toBeNull();
    await meter.record({ route: 'anthropic:claude-sonnet-4-5', context: { ...ctx, runId: 'run2' }, inputTokens: 100, outputTokens: 10, costUsd: 0.5, outcome: 'ok' });
    expect((await meter.checkQuota({ ...ctx, runId: 'run3' }))?.message).toMatch(/the team's daily quota of \$1\.00 is used up \(\$1\.1000 used\)/);
    await meter.record({ route: 'openai:gpt-4.1', context: ctx, inputTokens: 300, outputTokens: 0, costUsd: 0, outcome: 'ok' });
    expect(await meter.checkQuota(ctx)).toMatchObject({ scope: 'run', message: expect.stringContaining('1000 tokens is used up (1000 used)') });
    expect(await meter.totals({ userId: 'u1' })).toEqual({ calls: 3, inputTokens: 1000, outputTokens: 110, costUsd: 1.1 });
    const summary = await meter.summary(new Date('2026-03-01T00:00:00Z'));
    expect(summary.byRoute.map((r) => r.key).sort()).toEqual(['anthropic:claude-sonnet-4-5', 'openai:gpt-4.1']);
    expect(summary.byTask).toMatchObject([{ task: 'agent', calls: 3 }, { task: 'extraction', calls: 0 }]);
    // A new UTC day starts the daily quotas afresh (the run budget is not daily).
    now = new Date('2026-03-02T01:00:00Z');
    expect(await meter.checkQuota({ ...ctx, runId: 'run3' })).toBeNull();
  });

  it('uses the environment\'s routes until an admin sets others, and validates them', async () => {
    const settings = new RouteSettings(t.db, { agent: parseRouteList('anthropic:claude-sonnet-4-5,compat:qwen'), extraction: [] });
    expect(await settings.routes()).toMatchObject({ source: 'environment', routes: [{ id: 'anthropic:claude-sonnet-4-5' }, { id: 'compat:qwen' }] });
    await settings.set('agent', ['openai:gpt-4.1', 'anthropic:claude-sonnet-4-5'], null);
    const fresh = new RouteSettings(t.db, { agent: [], extraction: [] });
    expect((await fresh.routes()).routes.map((r) => r.id)).toEqual(['openai:gpt-4.1', 'anthropic:claude-sonnet-4-5']);
    await expect(fresh.set('agent', ['bogus:x'], null)).rejects.toThrow(/provider:model/);
    expect((await fresh.routes()).source).toBe('database');
    expect((await fresh.reset('agent')).source).toBe('environment');
  });

  it('gives extraction the agent\'s routes until it has its own, from TETHER_MODELS_EXTRACTION or an admin', async () => {
    const inherit = new RouteSettings(t.db, { agent: parseRouteList('anthropic:claude-sonnet-4-5'), extraction: [] });
    expect(await inherit.routes('extraction')).toMatchObject({ source: 'inherited', routes: [{ id: 'anthropic:claude-sonnet-4-5' }] });
    const env = new RouteSettings(t.db, { agent: parseRouteList('anthropic:claude-sonnet-4-5'), extraction: parseRouteList('compat:qwen') });
    expect(await env.routes('extraction')).toMatchObject({ source: 'environment', routes: [{ id: 'compat:qwen' }] });
    // An admin's extraction list leaves the agent's alone, and the other way round.
    await env.set('extraction', ['openai:gpt-4.1-mini'], null);
    expect((await env.routes('extraction')).routes.map((r) => r.id)).toEqual(['openai:gpt-4.1-mini']);
    expect(await env.routes('agent')).toMatchObject({ source: 'environment', routes: [{ id: 'anthropic:claude-sonnet-4-5' }] });
    expect((await env.reset('extraction')).routes.map((r) => r.id)).toEqual(['compat:qwen']);
  });

  it('keeps a context window an admin wrote beside a route, and refuses one too small to hold a prompt', async () => {
    const settings = new RouteSettings(t.db, { agent: [], extraction: [] });
    await settings.set('extraction', ['compat:my-finetune=32768', 'compat:qwen'], null);
    const fresh = new RouteSettings(t.db, { agent: [], extraction: [] });
    const routes = (await fresh.routes('extraction')).routes;
    expect(routes).toEqual([
      { id: 'compat:my-finetune', provider: 'compat', model: 'my-finetune', contextTokens: 32768 },
      { id: 'compat:qwen', provider: 'compat', model: 'qwen' },
    ]);
    expect(contextWindowOf(routes[0]!, new Map())).toEqual({ tokens: 32768, source: 'admin' });
    await expect(fresh.set('extraction', ['compat:tiny=512'], null)).rejects.toThrow(/under 4096 tokens/);
    await fresh.reset('extraction');
  });

  it('still reads an agent list an admin saved before task types existed', async () => {
    await t.db.modelRouteSetting.create({ data: { id: 'default', routes: ['openai:gpt-4o'] } });
    const settings = new RouteSettings(t.db, { agent: parseRouteList('compat:qwen'), extraction: [] });
    expect(await settings.routes('agent')).toMatchObject({ source: 'database', routes: [{ id: 'openai:gpt-4o' }] });
    expect((await settings.routes('extraction')).routes.map((r) => r.id)).toEqual(['openai:gpt-4o']);
    expect((await settings.reset('agent')).source).toBe('environment');
  });

  it('meters each task separately: usage rows say which task made the call', async () => {
    const server = await startScriptedModelServer();
    try {
      const meter = new UsageMeter(t.db, none, () => new Date('2026-04-01T12:00:00Z'));
      const settings = new RouteSettings(t.db, { agent: parseRouteList('openai:gpt-4.1'), extraction: parseRouteList('openai:gpt-4.1-mini') });
      const router = new ModelRouter({ credentials: { openaiApiKey: 'k', openaiBaseUrl: server.baseUrl }, routes: settings, meter, log: pino({ level: 'silent' }), firstTokenTimeoutMs: 5000 });
      server.script('gpt-4.1', [{ text: 'a', usage: { input: 100, output: 10 } }]);
      server.script('gpt-4.1-mini', [{ text: 'b', usage: { input: 40, output: 4 } }, { text: 'c', usage: { input: 60, output: 6 } }]);
      const drain = async (task: 'agent' | 'extraction') => { for await (const _ of router.stream({ task, messages: [{ role: 'user', content: 'x' }] })); };
      await drain('agent');
      await drain('extraction');
      await drain('extraction');
      const summary = await meter.summary(new Date('2026-04-01T00:00:00Z'));
      expect(summary.byTask).toEqual([
        { task: 'agent', calls: 1, inputTokens: 100, outputTokens: 10, costUsd: expect.any(Number) },
        { task: 'extraction', calls: 2, inputTokens: 100, outputTokens: 10, costUsd: expect.any(Number) },
      ]);
      expect(summary.byRoute.find((r) => r.task === 'extraction')).toMatchObject({ route: 'openai:gpt-4.1-mini', calls: 2 });
    } finally {
      await server.close();
    }
  });

  it('estimates cost from the price table, and leaves self-hosted models unpriced', () => {
    expect(estimateCostUsd('anthropic', 'claude-sonnet-4-5', 1_000_000, 100_000)).toBeCloseTo(4.5);
    expect(estimateCostUsd('compat', 'qwen2.5-coder', 1_000_000, 1_000_000)).toBe(0);
  });
});
