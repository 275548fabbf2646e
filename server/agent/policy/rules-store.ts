// Where the policy's data lives: ordered allow/ask/deny rules per team and per workspace, and the
// team's policy settings. Every change is a team audit entry. Rules are read fresh for each
// decision (two indexed queries), so a change applies to the very next tool call with no cache
// to invalidate, whichever path made it (admin page, "Approve and add rule", a script).
import { z } from 'zod';
import { recordAudit } from '../../audit/team-audit.ts';
import type { Db } from '../../db/client.ts';
import { DEFAULT_POLICY_SETTINGS as ENGINE_DEFAULTS, policyRuleInput, policySettingsInput, RULE_TOOLS } from './engine.ts';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

const ruleActionSchema = z.enum(['allow', 'ask', 'deny']);
export type RuleAction = z.infer<typeof ruleActionSchema>;

const idSchema = z.string().min(1).max(64);
const noteSchema = z.string().trim().max(500, 'Note too long (500 characters at most)');

/** The rule as stored; the engine's policyRuleInput decides what a valid action, tool and pattern are. */
const ruleShape = { action: ruleActionSchema, tool: z.enum(RULE_TOOLS), pattern: z.string() };

type RuleCore = { action: RuleAction; tool: string; pattern: string };

/** The engine's verdict on a rule, with the pattern as it normalises it (trimmed). */
function checkRule(r: RuleCore, workspaceId: string | null) {
  return policyRuleInput.safeParse({ action: r.action, tool: r.tool, pattern: r.pattern, scope: workspaceId ? 'workspace' : 'team' });
}

/** workspaceId null: a rule for the whole team. */
export const addRuleInput = z.object({ ...ruleShape, note: noteSchema.default(''), workspaceId: idSchema.nullable().default(null) })
  .transform((v, ctx) => {
    const checked = checkRule(v, v.workspaceId);
    if (checked.success) return { ...v, pattern: checked.data.pattern };
    for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });
/** Any of the fields; the merged rule is checked against the engine's schema when stored. */
export const updateRuleInput = z.object({ id: idSchema, action: ruleShape.action.optional(), tool: ruleShape.tool.optional(), pattern: z.string().optional(), note: noteSchema.optional() });
export const reorderRulesInput = z.object({ workspaceId: idSchema.nullable().default(null), ids: z.array(idSchema).max(1000) });
export const ruleIdInput = z.object({ id: idSchema });

/** The engine's settings (what medium risk does with no matching rule) and the anomaly limits. */
export const policySettingsSchema = policySettingsInput.extend({
  /** More than this many high-risk requests or deletes within the window pause the run. */
  anomalyHighRisk: z.number().int().min(1, 'At least 1').max(1000, 'At most 1000'),
  /** This many denials in a row pause the run. */
  anomalyDenials: z.number().int().min(1, 'At least 1').max(100, 'At most 100'),
  anomalyWindowSeconds: z.number().int().min(10, 'At least 10 seconds').max(86_400, 'At most a day'),
});
export type PolicySettingsRecord = z.infer<typeof policySettingsSchema>;

/** Conservative enough to stop a runaway loop, loose enough not to pause ordinary work. */
export const DEFAULT_POLICY_SETTINGS: PolicySettingsRecord = { ...ENGINE_DEFAULTS, anomalyHighRisk: 5, anomalyDenials: 3, anomalyWindowSeconds: 600 };

export interface StoredRule {
  id: string;
  action: RuleAction;
  tool: string;
  pattern: string;
  note: string;
  position: number;
  scope: 'team' | 'workspace';
  workspaceId: string | null;
  createdById: string | null;
  createdAt: Date;
}

export class RuleStoreError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'BAD_ORDER' | 'INVALID', message: string) { super(message); }
}

type RuleRow = Awaited<ReturnType<Db['policyRule']['findFirstOrThrow']>>;

function toRule(r: RuleRow): StoredRule {
  return {
    id: r.id, action: ruleActionSchema.parse(r.action), tool: r.tool, pattern: r.pattern, note: r.note, position: r.position,
    scope: r.workspaceId ? 'workspace' : 'team', workspaceId: r.workspaceId, createdById: r.createdById, createdAt: r.createdAt,
  };
}

const described = (r: Pick<StoredRule, 'action' | 'tool' | 'pattern' | 'workspaceId'>) =>
  ({ action: r.action, tool: r.tool, pattern: r.pattern, workspaceId: r.workspaceId });

/** The rules of one scope (the team's, or one workspace's), in order. */
export async function listRules(db: Pick<Db, 'policyRule'>, teamId: string, workspaceId: string | null): Promise<StoredRule[]> {
  const rows = await db.policyRule.findMany({ where: { teamId, workspaceId }, orderBy: [{ position: 'asc' }, { createdAt: 'asc' }] });
  return rows.map(toRule);
}

/** Everything that applies to a call in a workspace: the team's rules, then the workspace's. */
export async function rulesFor(db: Pick<Db, 'policyRule'>, teamId: string, workspaceId: string | null): Promise<StoredRule[]> {
  const rows = await db.policyRule.findMany({
    where: { teamId, OR: [{ workspaceId: null }, ...(workspaceId ? [{ workspaceId }] : [])] },
    orderBy: [{ position: 'asc' }, { createdAt: 'asc' }],
  });
  return teamFirst(rows.map(toRule));
}

const teamFirst = (rules: StoredRule[]) => [...rules.filter((r) => r.scope === 'team'), ...rules.filter((r) => r.scope === 'workspace')];

/** The team's live workspaces, named by their sessions, to choose a scope for workspace rules. */
export async function teamWorkspaces(db: Pick<Db, 'workspace'>, teamId: string) {
  const rows = await db.workspace.findMany({
    where: { teamId, status: { not: 'destroyed' } },
    orderBy: { createdAt: 'desc' },
    select: { id: true, createdAt: true, sessions: { select: { title: true }, orderBy: { createdAt: 'asc' }, take: 1 } },
  });
  return rows.map((w) => ({ id: w.id, name: w.sessions[0]?.title ?? w.id, createdAt: w.createdAt }));
}

async function assertWorkspaceInTeam(tx: Tx, teamId: string, workspaceId: string | null) {
  if (workspaceId && !(await tx.workspace.findFirst({ where: { id: workspaceId, teamId }, select: { id: true } }))) {
    throw new RuleStoreError('NOT_FOUND', 'No such workspace in this team.');
  }
}

async function ruleInTeam(tx: Tx, teamId: string, id: string): Promise<RuleRow> {
  const row = await tx.policyRule.findFirst({ where: { id, teamId } });
  if (!row) throw new RuleStoreError('NOT_FOUND', 'No such rule; it may have been deleted.');
  return row;
}

/** Appends a rule at the end of its scope. Also what "Approve and add rule" calls. */
export async function addRule(db: Db, a: { teamId: string; actorId: string | null; rule: z.input<typeof addRuleInput> }): Promise<StoredRule> {
  const input = addRuleInput.parse(a.rule);
  return db.$transaction(async (tx) => {
    await assertWorkspaceInTeam(tx, a.teamId, input.workspaceId);
    const last = await tx.policyRule.findFirst({ where: { teamId: a.teamId, workspaceId: input.workspaceId }, orderBy: { position: 'desc' }, select: { position: true } });
    const row = await tx.policyRule.create({
      data: { teamId: a.teamId, workspaceId: input.workspaceId, action: input.action, tool: input.tool, pattern: input.pattern, note: input.note, position: (last?.position ?? -1) + 1, createdById: a.actorId },
    });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: 'policy.rule_added', target: row.id, detail: described(toRule(row)) });
    return toRule(row);
  });
}

export async function updateRule(db: Db, a: { teamId: string; actorId: string; change: z.input<typeof updateRuleInput> }): Promise<StoredRule> {
  const { id, ...change } = updateRuleInput.parse(a.change);
  return db.$transaction(async (tx) => {
    const before = toRule(await ruleInTeam(tx, a.teamId, id));
    const checked = checkRule({ ...before, ...change }, before.workspaceId);
    if (!checked.success) throw new RuleStoreError('INVALID', checked.error.issues.map((i) => i.message).join('; '));
    const row = await tx.policyRule.update({ where: { id }, data: { ...change, pattern: checked.data.pattern } });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: 'policy.rule_updated', target: id, detail: { before: described(before), after: described(toRule(row)) } });
    return toRule(row);
  });
}

/** ids must name exactly the scope's rules, in their new order. */
export async function reorderRules(db: Db, a: { teamId: string; actorId: string; order: z.input<typeof reorderRulesInput> }): Promise<StoredRule[]> {
  const { workspaceId, ids } = reorderRulesInput.parse(a.order);
  return db.$transaction(async (tx) => {
    await assertWorkspaceInTeam(tx, a.teamId, workspaceId);
    const current = await tx.policyRule.findMany({ where: { teamId: a.teamId, workspaceId }, select: { id: true } });
    const same = ids.length === current.length && new Set(ids).size === ids.length && current.every((r) => ids.includes(r.id));
    if (!same) throw new RuleStoreError('BAD_ORDER', 'The rules changed meanwhile; reload and reorder again.');
    for (const [position, id] of ids.entries()) await tx.policyRule.update({ where: { id }, data: { position } });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: 'policy.rules_reordered', target: workspaceId ?? 'team', detail: { ids } });
    return (await tx.policyRule.findMany({ where: { teamId: a.teamId, workspaceId }, orderBy: { position: 'asc' } })).map(toRule);
  });
}

export async function deleteRule(db: Db, a: { teamId: string; actorId: string; id: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = toRule(await ruleInTeam(tx, a.teamId, a.id));
    await tx.policyRule.delete({ where: { id: a.id } });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: 'policy.rule_deleted', target: a.id, detail: described(before) });
  });
}

type SettingsRow = Awaited<ReturnType<Db['teamPolicySettings']['findFirstOrThrow']>>;

function settingsOf(row: SettingsRow | null): PolicySettingsRecord {
  if (!row) return DEFAULT_POLICY_SETTINGS;
  return policySettingsSchema.parse({ mediumAction: row.mediumAction, anomalyHighRisk: row.anomalyHighRisk, anomalyDenials: row.anomalyDenials, anomalyWindowSeconds: row.anomalyWindowSeconds });
}

export async function getPolicySettings(db: Pick<Db, 'teamPolicySettings'>, teamId: string): Promise<PolicySettingsRecord> {
  return settingsOf(await db.teamPolicySettings.findUnique({ where: { teamId } }));
}

/**
 * What applies to a session's calls, in two queries that run side by side: its team's settings,
 * and the rules of its team and of its workspace (team rules first).
 */
export async function policyOfSession(db: Pick<Db, 'session' | 'policyRule'>, sessionId: string): Promise<{ rules: StoredRule[]; settings: PolicySettingsRecord }> {
  const inSession = { sessions: { some: { id: sessionId } } };
  const [session, rows] = await Promise.all([
    db.session.findUnique({ where: { id: sessionId }, select: { team: { select: { policy: true } } } }),
    db.policyRule.findMany({ where: { team: inSession, OR: [{ workspaceId: null }, { workspace: inSession }] }, orderBy: [{ position: 'asc' }, { createdAt: 'asc' }] }),
  ]);
  if (!session) throw new RuleStoreError('NOT_FOUND', `session ${sessionId} does not exist`);
  return { rules: teamFirst(rows.map(toRule)), settings: settingsOf(session.team.policy) };
}

export async function setPolicySettings(db: Db, a: { teamId: string; actorId: string; settings: PolicySettingsRecord }): Promise<PolicySettingsRecord> {
  const settings = policySettingsSchema.parse(a.settings);
  return db.$transaction(async (tx) => {
    const before = await getPolicySettings(tx, a.teamId);
    await tx.teamPolicySettings.upsert({ where: { teamId: a.teamId }, create: { teamId: a.teamId, ...settings, updatedById: a.actorId }, update: { ...settings, updatedById: a.actorId } });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: 'policy.settings_changed', detail: { before, after: settings } });
    return settings;
  });
}
