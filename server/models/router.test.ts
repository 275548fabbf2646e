import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startScriptedModelServer, type ScriptedModelServer } from '../../test/support/scripted-model-server.ts';
import { ModelCallError } from './errors.ts';
import { ModelRouter, type ModelRequest, type ModelStreamPart } from './router.ts';
import { parseRouteList } from './routes.ts';
import type { RouteSource } from './settings.ts';

const log = pino({ level: 'silent' });
let server: ScriptedModelServer;
beforeAll(async () => { server = await startScriptedModelServer(); });
afterAll(async () => { await server.close(); });
afterEach(() => { expect(server.pending()).toBe(0); server.requests.length = 0; });

const KEY = 'sk-test-secret-key-123';
const fixed = (list: string): RouteSource => ({ routes: async () => ({ routes: parseRouteList(list), source: 'environment' }) });

function router(list: string, opts: { now?: () => number; timeoutMs?: number } = {}) {
  return new ModelRouter({
    credentials: { openaiApiKey: KEY, openaiBaseUrl: server.baseUrl, anthropicApiKey: KEY, anthropicBaseUrl: server.baseUrl },
    routes: fixed(list),
    log,
    breaker: { failureThreshold: 2, cooldownMs: 1000 },
    firstTokenTimeoutMs: opts.timeoutMs ?? 5000,
    now: opts.now,
  });
}

const hello: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };

async function collect(r: ModelRouter, req: ModelRequest = hello) {
  const parts: ModelStreamPart[] = [];
  for await (const p of r.stream(req)) parts.push(p);
  return parts;
}
const text = (parts: ModelStreamPart[]) => parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');

describe('model router', () => {
  for (const provider of ['openai', 'anthropic', 'compat'] as const) {
    it(`streams text and a tool call over the ${provider} wire protocol`, async () => {
      server.script('m1', [{ text: 'Reading the file now.', toolCalls: [{ id: 'c1', name: 'read_file', input: { path: 'a.ts' } }], usage: { input: 120, output: 30 } }]);
      const parts = await collect(router(`${provider}:m1`), {
        ...hello,
        tools: { read_file: { description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } },
      });
      expect(parts[0]).toEqual({ type: 'route', route: `${provider}:m1`, failedOver: [] });
      expect(text(parts)).toBe('Reading the file now.');
      expect(parts).toContainEqual({ type: 'tool-call', callId: 'c1', toolName: 'read_file', input: { path: 'a.ts' } });
      expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 120, outputTokens: 30 } });
      const req = server.requests[0]!;
      expect(req.stream).toBe(true);
      expect(req.protocol).toBe(provider === 'anthropic' ? 'anthropic' : 'openai');
      expect(JSON.stringify(req.body)).toContain('read_file');
    });
  }

  it('falls back when the primary answers 429', async () => {
    server.script('primary', [{ fail: 'http', status: 429, message: 'slow down' }]);
    server.script('backup', [{ text: 'from the fallback' }]);
    const parts = await collect(router('openai:primary,anthropic:backup'));
    // The answering route names the one that failed before it, and why, for the transcript.
    expect(parts[0]).toEqual({ type: 'route', route: 'anthropic:backup', failedOver: [{ route: 'openai:primary', error: expect.stringContaining('slow down') }] });
    expect(text(parts)).toBe('from the fallback');
  });

  it('falls back on a dropped connection and on a first-token timeout', async () => {
    server.script('primary', [{ fail: 'drop' }, { fail: 'hang' }]);
    server.script('backup', [{ text: 'one' }, { text: 'two' }]);
    const r = router('openai:primary,openai:backup', { timeoutMs: 300 });
    expect(text(await collect(r))).toBe('one');
    expect(text(await collect(r))).toBe('two');
  });

  it('never falls back on a 400: the next route would refuse it too', async () => {
    server.script('primary', [{ fail: 'http', status: 400, message: 'messages: malformed' }]);
    const err = await collect(router('openai:primary,openai:backup')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect((err as ModelCallError).kind).toBe('request');
    expect((err as ModelCallError).message).toContain('malformed');
    expect(server.requests.map((r) => r.model)).toEqual(['primary']);
  });

  it('opens the circuit after repeated 500s, skips the route, then half-opens and recovers', async () => {
    let t = 0;
    const r = router('openai:primary,openai:backup', { now: () => t });
    server.script('primary', [{ fail: 'http', status: 500 }, { fail: 'http', status: 503 }]);
    server.script('backup', [{ text: 'b1' }, { text: 'b2' }, { text: 'b3' }]);
    expect(text(await collect(r))).toBe('b1');
    expect(text(await collect(r))).toBe('b2');
    expect((await r.status()).routes[0]).toMatchObject({ breaker: 'open', consecutiveFailures: 2 });
    // Open: the primary is not even asked.
    expect(text(await collect(r))).toBe('b3');
    expect(server.requests.filter((q) => q.model === 'primary')).toHaveLength(2);
    t += 1000;
    expect((await r.status()).routes[0]!.breaker).toBe('half-open');
    server.script('primary', [{ text: 'back' }]);
    expect(text(await collect(r))).toBe('back');
    expect((await r.status()).routes[0]).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
  });

  it('fails visibly when the stream breaks after the first token, without falling back', async () => {
    server.script('primary', [{ text: 'a long answer that breaks', chunkSize: 4, dropAfterEvents: 3 }]);
    const seen: ModelStreamPart[] = [];
    const err = await (async () => { for await (const p of router('openai:primary,openai:backup').stream(hello)) seen.push(p); })().catch((e: unknown) => e);
    expect((err as ModelCallError).kind).toBe('stream');
    expect(text(seen).length).toBeGreaterThan(0);
    expect(server.requests.map((r) => r.model)).toEqual(['primary']);
  });

  it('reports every failed route when none answers, with no key in the message', async () => {
    server.script('primary', [{ fail: 'http', status: 401, message: `bad key ${KEY}` }]);
    server.script('backup', [{ fail: 'http', status: 502 }]);
    const err = (await collect(router('openai:primary,anthropic:backup')).catch((e: unknown) => e)) as ModelCallError;
    expect(err.kind).toBe('unavailable');
    expect(err.attempts.map((a) => a.route)).toEqual(['openai:primary', 'anthropic:backup']);
    expect(err.message).not.toContain(KEY);
    expect(JSON.stringify(await router('openai:primary').status())).not.toContain(KEY);
  });

  it('says it is not configured, with how to configure it, when no route has its settings', async () => {
    const r = new ModelRouter({ credentials: {}, routes: fixed('anthropic:claude-sonnet-4-5'), log, firstTokenTimeoutMs: 1000 });
    const status = await r.status();
    expect(status.configured).toBe(false);
    expect(status.routes[0]!.missing).toBe('ANTHROPIC_API_KEY is not set');
    expect(status.howTo).toContain('TETHER_MODELS=');
    const err = (await collect(r).catch((e: unknown) => e)) as ModelCallError;
    expect(err.kind).toBe('not_configured');
    expect(server.requests).toHaveLength(0);
  });

  it('routes each task to its own list, and sends the reply limit it is given', async () => {
    const byTask: RouteSource = { routes: async (task) => ({ routes: parseRouteList(task === 'extraction' ? 'openai:cheap' : 'openai:strong'), source: 'environment' }) };
    const r = new ModelRouter({ credentials: { openaiApiKey: KEY, openaiBaseUrl: server.baseUrl }, routes: byTask, log, firstTokenTimeoutMs: 5000 });
    server.script('cheap', [{ text: '[]' }]);
    server.script('strong', [{ text: 'code' }]);
    expect(text(await collect(r, { ...hello, task: 'extraction', maxOutputTokens: 512 }))).toBe('[]');
    expect(text(await collect(r, hello))).toBe('code');
    expect(server.requests.map((q) => q.model)).toEqual(['cheap', 'strong']);
    expect(server.requests[0]!.body.max_tokens ?? server.requests[0]!.body.max_completion_tokens).toBe(512);
    expect((await r.status('extraction')).routes.map((x) => x.id)).toEqual(['openai:cheap']);
  });

  it('knows each route\'s context window: the table, an operator\'s setting, or a small assumed one', async () => {
    const r = new ModelRouter({
      credentials: { openaiApiKey: KEY, anthropicApiKey: KEY, openaiBaseUrl: server.baseUrl },
      routes: fixed('anthropic:claude-sonnet-4-5,openai:gpt-4o,compat:qwen2.5-coder:7b,compat:my-finetune'),
      log, firstTokenTimeoutMs: 1000,
      contextSettings: new Map([['compat:qwen2.5-coder:7b', 16_384]]),
    });
    expect((await r.status()).routes.map((x) => x.contextWindow)).toEqual([
      { tokens: 200_000, source: 'known' }, { tokens: 128_000, source: 'known' }, { tokens: 16_384, source: 'setting' }, { tokens: 8_192, source: 'assumed' },
    ]);
    // The prompt must fit whichever route answers: the smallest window counts.
    expect(await r.contextWindow()).toEqual({ tokens: 8_192, source: 'assumed', route: 'compat:my-finetune' });
  });

  it('stops when the caller aborts', async () => {
    server.script('primary', [{ fail: 'hang' }]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = (await collect(router('openai:primary,openai:backup'), { ...hello, signal: ac.signal }).catch((e: unknown) => e)) as ModelCallError;
    expect(err.kind).toBe('aborted');
    expect(server.requests.map((r) => r.model)).toEqual(['primary']);
  });
});
