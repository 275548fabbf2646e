// A share-link viewer sees the agent's reply while it streams (issue 13), through its read-only
// /share namespace: the same deltas the members' agent panel gets, before the message is an event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../test/support/scripted-model-server.ts';
import type { SessionEvent } from '../sessions/event-types.ts';
import { SHARE_NAMESPACE } from './protocol.ts';

const REPLY = 'Reading the cart module first, then I will reorder the product.';

describe('live agent text for share viewers', () => {
  let model: ScriptedModelServer;
  let app: TestApp;
  let member: ApiClient;
  beforeAll(async () => {
    model = await startScriptedModelServer();
    app = await startTestApp('sqlite', { TETHER_MODELS: 'compat:live-model', OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'test-placeholder-key' });
    ({ member } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); await model?.close(); });

  it('streams the reply to a viewer piece by piece, before the message is recorded, only for its own session', async () => {
    const { id: sessionId } = await createProvisionedSession(member);
    const { id: otherSession } = await createProvisionedSession(member);
    const link = (await member.mutate('share.create', { sessionId, scope: 'view', expiresInHours: 1 })).data as { token: string };
    const otherLink = (await member.mutate('share.create', { sessionId: otherSession, scope: 'view', expiresInHours: 1 })).data as { token: string };
    const viewer = (token: string) => new Promise<Socket>((resolve, reject) => {
      const s = connect(app.url + SHARE_NAMESPACE, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, auth: { token }, extraHeaders: { origin: app.url } });
      s.on('connect', () => resolve(s));
      s.on('connect_error', reject);
    });
    const watching = await viewer(link.token);
    const elsewhere = await viewer(otherLink.token);
    // What the viewer saw, in order: each delta and each recorded event.
    const seen: ({ delta: string } | { event: string })[] = [];
    watching.on('share:agent:delta', (d: { text: string }) => seen.push({ delta: d.text }));
    watching.on('share:event', (e: SessionEvent) => seen.push({ event: e.type }));
    const leaked: unknown[] = [];
    elsewhere.on('share:agent:delta', (d: unknown) => leaked.push(d));
    expect(await watching.emitWithAck('share:follow', { afterSeq: 0 })).toEqual({ ok: true });
    expect(await elsewhere.emitWithAck('share:follow', { afterSeq: 0 })).toEqual({ ok: true });

    model.script([{ text: REPLY, chunkSize: 6, chunkDelayMs: 40 }]);
    expect((await member.mutate('agent.send', { sessionId, text: 'Reorder the product.' })).error).toBeNull();
    await expect.poll(() => seen.some((s) => 'event' in s && s.event === 'agent.run.ended'), { timeout: 30_000 }).toBe(true);

    const deltas = seen.filter((s): s is { delta: string } => 'delta' in s);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((d) => d.delta).join('')).toBe(REPLY);
    // Live: every piece arrived before the folded message was an event.
    const message = seen.findIndex((s) => 'event' in s && s.event === 'agent.message');
    expect(message).toBeGreaterThan(seen.findLastIndex((s) => 'delta' in s));
    expect(leaked).toEqual([]);
    watching.close();
    elsewhere.close();
  }, 90_000);
});
