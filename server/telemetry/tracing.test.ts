// Traces leave over OTLP/HTTP to a collector: a real agent step against the scripted model server
// produces an agent.step span with its model.call span as a child, received by a loopback collector.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentHarness, seedSession, silent } from '../../test/support/agent-harness.ts';
import { createDirWorkspace } from '../../test/support/agent-workspace.ts';
import { createTestDb, type TestDb } from '../../test/support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../test/support/scripted-model-server.ts';
import { startTracing } from './tracing.ts';

interface OtlpSpan { name: string; spanId: string; parentSpanId?: string; traceId: string; attributes: { key: string; value: Record<string, unknown> }[] }
interface OtlpBody { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] }

describe('OpenTelemetry traces', () => {
  let collector: Server;
  const bodies: OtlpBody[] = [];
  const paths: string[] = [];
  let t: TestDb;
  let model: ScriptedModelServer;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => { raw += c.toString(); });
      req.on('end', () => {
        paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        bodies.push(JSON.parse(raw) as OtlpBody);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    t = await createTestDb('sqlite');
    model = await startScriptedModelServer();
  });
  afterAll(async () => {
    await model?.close();
    await t?.cleanup();
    collector?.close();
  });

  it('exports each agent step with its model call as a child span', async () => {
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const stop = await startTracing({ endpoint, instanceId: 'trace-test', log: silent });
    const s = await seedSession(t);
    const ws = createDirWorkspace({ 'README.md': 'hi\n' });
    const h = agentHarness(t, model, { workspaces: new Map([[s.sessionId, ws]]) });
    model.script([{ toolCalls: [{ name: 'read_file', input: { path: 'README.md' } }] }, { text: 'It says hi.' }]);
    await h.service.send({ ...s, text: 'read it' });
    await h.service.idle(s.sessionId);
    await stop();
    ws.cleanup();

    expect(paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
    const spans = bodies.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((x) => x.spans)));
    const steps = spans.filter((x) => x.name === 'agent.step');
    const calls = spans.filter((x) => x.name === 'model.call');
    expect(steps).toHaveLength(2);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      const parent = steps.find((st) => st.spanId === call.parentSpanId);
      expect(parent, 'each model call sits inside its step').toBeDefined();
      expect(call.traceId).toBe(parent!.traceId);
      expect(call.attributes.find((a) => a.key === 'tether.route')?.value).toEqual({ stringValue: 'openai:m' });
    }
    const resource = bodies[0]!.resourceSpans[0]!.resource.attributes;
    expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('tether');
    expect(resource.find((a) => a.key === 'service.instance.id')?.value.stringValue).toBe('trace-test');
  });
});
