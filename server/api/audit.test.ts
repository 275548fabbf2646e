import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import { DEFAULT_TEAM_ID } from '../auth/accounts.ts';
import type { AuditItem, AuditPage } from '../audit/view.ts';

describe.each(testProviders)('audit API on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let sessionId: string;
  beforeAll(async () => {
    app = await startTestApp(provider);
    ({ admin } = await setupAdminAndMember(app));
    const owner = await app.testDb.db.user.findFirstOrThrow({ where: { email: 'admin@example.test' } });
    const s = await app.testDb.db.session.create({ data: { title: 'seeded', teamId: DEFAULT_TEAM_ID, ownerId: owner.id } });
    sessionId = s.id;
    // Many records share one timestamp, across both tables: the keyset must still visit each exactly once.
    const at = new Date('2026-01-01T00:00:00.000Z');
    await app.testDb.db.event.createMany({
      data: Array.from({ length: 300 }, (_, i) => ({
        sessionId, seq: i + 1, type: i % 3 ? 'agent.policy.decision' : 'terminal.command', actorKind: 'agent', actorId: null,
        payload: i % 3 ? { runId: 'r', callId: `c${i}`, decision: i % 2 ? 'deny' : 'allow', reason: 'x', by: 'classifier', risk: i % 2 ? 'high' : 'low' } : { command: `echo ${i}` },
        createdAt: new Date(at.getTime() + Math.floor(i / 50)), prevHash: '', hash: '',
      })),
    });
    await app.testDb.db.auditEntry.createMany({
      data: Array.from({ length: 120 }, (_, i) => ({ teamId: DEFAULT_TEAM_ID, actorId: owner.id, action: 'egress.attempt', detail: { host: `h${i}.test`, decision: 'deny' }, createdAt: new Date(at.getTime() + Math.floor(i / 40)) })),
    });
  });
  afterAll(async () => { await app?.close(); });

  async function walk(filter: Record<string, unknown>, limit: number) {
    const seen: AuditItem[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 500; pages++) {
      const r = await admin.query('audit.list', { ...filter, limit, cursor });
      expect(r.status, JSON.stringify(r.error)).toBe(200);
      const page = r.data as AuditPage;
      seen.push(...page.items);
      if (!page.nextCursor) return seen;
      cursor = page.nextCursor;
    }
    throw new Error('did not finish');
  }

  it('pages through every record of both chains exactly once, newest first, with ties on time', async () => {
    const all = await walk({}, 37);
    const ids = all.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    const total = (await app.testDb.db.event.count()) + (await app.testDb.db.auditEntry.count());
    expect(ids.length).toBe(total);
    const times = all.map((i) => Date.parse(i.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.some((i) => i.kind === 'user.created')).toBe(true);
  });

  it('filters by kind, session, risk and decision, and shows command text, host and who decided', async () => {
    const commands = await walk({ kind: 'terminal.command', sessionId }, 1000);
    expect(commands).toHaveLength(100);
    expect(commands.every((c) => /^echo \d+$/.test(c.summary))).toBe(true);
    const highDenied = await walk({ risk: 'high', decision: 'deny' }, 25);
    expect(highDenied).toHaveLength(100);
    expect(highDenied.every((i) => i.kind === 'agent.policy.decision' && i.decidedBy === 'classifier')).toBe(true);
    // A kind this module has never heard of still filters and summarizes.
    const egress = await walk({ kind: 'egress.', decision: 'deny' }, 50);
    expect(egress).toHaveLength(120);
    expect(egress[0]!.summary).toMatch(/^h\d+\.test$/);
    const window = await walk({ from: '2026-01-01T00:00:00.001Z', to: '2026-01-01T00:00:00.001Z' }, 1000);
    expect(window).toHaveLength(50 + 40);
  });

  it('records sign-ins and failed sign-ins in the team chain', async () => {
    expect((await app.api.mutate('auth.login', { email: 'member@example.test', password: 'wrong password' })).status).toBe(401);
    expect((await app.api.mutate('auth.login', { email: 'nobody@example.test', password: 'whatever' })).status).toBe(401);
    expect((await app.api.mutate('auth.login', { email: 'member@example.test', password: 'member password 1' })).status).toBe(200);
    const signIns = await walk({ kind: 'auth.' }, 100);
    const failed = signIns.filter((i) => i.kind === 'auth.login_failed').map((i) => [i.target, (i.detail as { reason: string }).reason]);
    expect(failed).toEqual(expect.arrayContaining([['member@example.test', 'wrong_credentials'], ['nobody@example.test', 'wrong_credentials']]));
    expect(signIns.find((i) => i.kind === 'auth.login' && i.target === 'member@example.test')?.actorId).toBeTruthy();
  });

  it('refuses bad input with a message', async () => {
    for (const input of [{ limit: 0 }, { limit: 5000 }, { risk: 'extreme' }, { from: 'yesterday' }, { kind: 'x'.repeat(200) }]) {
      const r = await admin.query('audit.list', input);
      expect(r.status, JSON.stringify(input)).toBe(400);
    }
    const bad = await admin.query('audit.list', { cursor: 'not-a-cursor' });
    expect(bad.status).toBe(400);
    expect(bad.error?.message).toMatch(/page link is no longer valid/);
    expect((await admin.mutate('audit.setRetention', { days: -1 })).status).toBe(400);
    expect((await admin.mutate('audit.verify', { sessionId: 'nope' })).status).toBe(404);
  });

  it('records a retention change in the team chain, and verify names a tampered entry', async () => {
    expect((await admin.mutate('audit.setRetention', { days: 400 })).status).toBe(200);
    expect((await admin.query('audit.retention')).data).toEqual({ days: 400 });
    const v1 = (await admin.mutate('audit.verify', {})).data as { ok: boolean; reports: { chain: string; broken: unknown }[] };
    const team = v1.reports.find((r) => r.chain === 'team')!;
    expect(team.broken).toBeNull();
    const changed = await app.testDb.db.auditEntry.findFirstOrThrow({ where: { action: 'audit.retention_changed' } });
    await app.testDb.db.auditEntry.update({ where: { id: changed.id }, data: { detail: { before: null, after: 9999 } } });
    const v2 = (await admin.mutate('audit.verify', {})).data as { ok: boolean; reports: { chain: string; broken: { id: string } | null }[] };
    expect(v2.ok).toBe(false);
    expect(v2.reports.find((r) => r.chain === 'team')!.broken?.id).toBe(changed.id);
  });
});
