import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../../../test/support/db.ts';
import {
  addRule, DEFAULT_POLICY_SETTINGS, deleteRule, getPolicySettings, listRules, reorderRules, RuleStoreError, rulesFor, setPolicySettings, updateRule,
} from './rules-store.ts';

async function seedTeam(t: TestDb) {
  const team = await t.db.team.create({ data: { name: 't' } });
  const admin = await t.db.user.create({ data: { email: `a${Math.random()}@x.test`, name: 'a' } });
  const workspace = await t.db.workspace.create({ data: { teamId: team.id, source: 'empty' } });
  return { teamId: team.id, actorId: admin.id, workspaceId: workspace.id };
}

const auditOf = (t: TestDb, teamId: string) => t.db.auditEntry.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' } });

describe.each(testProviders)('policy rules store on %s', (provider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(provider); });
  afterAll(async () => { await t?.cleanup(); });

  it('keeps team and workspace rules in order, team rules first, and audits each addition', async () => {
    const s = await seedTeam(t);
    const a = await addRule(t.db, { teamId: s.teamId, actorId: s.actorId, rule: { action: 'allow', tool: 'run_command', pattern: 'npm test*' } });
    const b = await addRule(t.db, { teamId: s.teamId, actorId: s.actorId, rule: { action: 'deny', tool: 'git', pattern: 'push*', note: 'no pushes' } });
    const w = await addRule(t.db, { teamId: s.teamId, actorId: s.actorId, rule: { action: 'ask', tool: 'write_file', pattern: 'src/**', workspaceId: s.workspaceId } });
    expect([a.position, b.position, w.position]).toEqual([0, 1, 0]);
    expect(w.scope).toBe('workspace');
    expect((await listRules(t.db, s.teamId, null)).map((r) => r.id)).toEqual([a.id, b.id]);
    expect((await listRules(t.db, s.teamId, s.workspaceId)).map((r) => r.id)).toEqual([w.id]);
    expect((await rulesFor(t.db, s.teamId, s.workspaceId)).map((r) => r.id)).toEqual([a.id, b.id, w.id]);
    expect((await rulesFor(t.db, s.teamId, null)).map((r) => r.id)).toEqual([a.id, b.id]);
    const audit = await auditOf(t, s.teamId);
    expect(audit.map((e) => [e.action, e.target, e.actorId])).toEqual([
      ['policy.rule_added', a.id, s.actorId], ['policy.rule_added', b.id, s.actorId], ['policy.rule_added', w.id, s.actorId],
    ]);
    expect(audit[1]!.detail).toEqual({ action: 'deny', tool: 'git', pattern: 'push*', workspaceId: null });
  });

  it('never lets one team read or change another team\'s rules or workspaces', async () => {
    const mine = await seedTeam(t);
    const theirs = await seedTeam(t);
    const rule = await addRule(t.db, { teamId: theirs.teamId, actorId: theirs.actorId, rule: { action: 'allow', tool: 'read_file', pattern: '**' } });
    expect(await rulesFor(t.db, mine.teamId, theirs.workspaceId)).toEqual([]);
    await expect(updateRule(t.db, { teamId: mine.teamId, actorId: mine.actorId, change: { id: rule.id, action: 'deny' } })).rejects.toThrow(RuleStoreError);
    await expect(deleteRule(t.db, { teamId: mine.teamId, actorId: mine.actorId, id: rule.id })).rejects.toThrow(/No such rule/);
    await expect(addRule(t.db, { teamId: mine.teamId, actorId: mine.actorId, rule: { action: 'allow', tool: 'read_file', pattern: '**', workspaceId: theirs.workspaceId } }))
      .rejects.toThrow(/No such workspace/);
    expect((await listRules(t.db, theirs.teamId, null))[0]).toMatchObject({ id: rule.id, action: 'allow' });
  });

  it('updates, reorders and deletes with an audit entry for each, refusing a stale order', async () => {
    const s = await seedTeam(t);
    const ids = [];
    for (const pattern of ['a*', 'b*', 'c*']) ids.push((await addRule(t.db, { teamId: s.teamId, actorId: s.actorId, rule: { action: 'allow', tool: 'run_command', pattern } })).id);
    const updated = await updateRule(t.db, { teamId: s.teamId, actorId: s.actorId, change: { id: ids[1]!, action: 'deny', pattern: 'rm *' } });
    expect(updated).toMatchObject({ action: 'deny', pattern: 'rm *', tool: 'run_command', position: 1 });
    const reordered = await reorderRules(t.db, { teamId: s.teamId, actorId: s.actorId, order: { workspaceId: null, ids: [ids[2]!, ids[0]!, ids[1]!] } });
    expect(reordered.map((r) => [r.id, r.position])).toEqual([[ids[2], 0], [ids[0], 1], [ids[1], 2]]);
    await expect(reorderRules(t.db, { teamId: s.teamId, actorId: s.actorId, order: { workspaceId: null, ids: [ids[0]!, ids[1]!] } })).rejects.toThrow(/reload/);
    await deleteRule(t.db, { teamId: s.teamId, actorId: s.actorId, id: ids[0]! });
    expect((await listRules(t.db, s.teamId, null)).map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const audit = await auditOf(t, s.teamId);
    expect(audit.map((e) => e.action)).toEqual(['policy.rule_added', 'policy.rule_added', 'policy.rule_added', 'policy.rule_updated', 'policy.rules_reordered', 'policy.rule_deleted']);
    expect(audit[3]!.detail).toMatchObject({ before: { action: 'allow', pattern: 'b*' }, after: { action: 'deny', pattern: 'rm *' } });
  });

  it('rejects rules for unknown tools and empty patterns', async () => {
    const s = await seedTeam(t);
    await expect(addRule(t.db, { teamId: s.teamId, actorId: s.actorId, rule: { action: 'allow', tool: 'launch_missiles' as never, pattern: '*' } })).rejects.toThrow(/Invalid option/);
    await expect(addRule(t.db, { teamId: s.teamId, actorId: s.actorId, rule: { action: 'allow', tool: 'run_command', pattern: '   ' } })).rejects.toThrow(/a pattern is needed/);
    expect(await listRules(t.db, s.teamId, null)).toEqual([]);
  });

  it('has sane default settings and audits a change', async () => {
    const s = await seedTeam(t);
    expect(await getPolicySettings(t.db, s.teamId)).toEqual(DEFAULT_POLICY_SETTINGS);
    const next = { mediumAction: 'ask' as const, anomalyHighRisk: 2, anomalyDenials: 4, anomalyWindowSeconds: 60 };
    await setPolicySettings(t.db, { teamId: s.teamId, actorId: s.actorId, settings: next });
    expect(await getPolicySettings(t.db, s.teamId)).toEqual(next);
    const [entry] = await auditOf(t, s.teamId);
    expect(entry).toMatchObject({ action: 'policy.settings_changed', actorId: s.actorId, detail: { before: DEFAULT_POLICY_SETTINGS, after: next } });
    await expect(setPolicySettings(t.db, { teamId: s.teamId, actorId: s.actorId, settings: { ...next, anomalyDenials: 0 } })).rejects.toThrow(/At least 1/);
  });
});
