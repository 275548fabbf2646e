// The policy as the server runs it: the engine fed with the rules and settings stored for the
// session's team and workspace (read fresh for each call: no cache to invalidate), behind the
// anomaly limits, whose trips pause the run and notify the admins. "Test a command" evaluates
// through the same engine.
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../log.ts';
import type { ApprovalGate, PolicyCall, PolicyHook } from '../policy.ts';
import { evaluateWithProfile, profileRules } from '../profiles/policy.ts';
import type { RunProfile } from '../profiles/spec.ts';
import { AnomalyLimits, recordAnomaly, type AnomalyTrip } from './anomaly-limits.ts';
import { createPolicyHook, type EvaluatedCall } from './engine.ts';
import { getPolicySettings, policyOfSession, rulesFor, type PolicySettingsRecord } from './rules-store.ts';

/** Each call's rules and settings, loaded once and shared by the engine and the anomaly limits. */
function perCall(db: Db) {
  const loaded = new WeakMap<PolicyCall, ReturnType<typeof policyOfSession>>();
  return (call: PolicyCall) => {
    let p = loaded.get(call);
    if (!p) loaded.set(call, (p = policyOfSession(db, call.sessionId)));
    return p;
  };
}

export interface TeamPolicyOptions {
  db: Db;
  log: Logger;
  /** The gate that asks people; the anomaly limits count its denials. */
  approvals: ApprovalGate;
  /** Pause the run (AgentService.pause); returns whether it was still running. */
  pause(sessionId: string, runId: string, detail: { reason: string; anomaly: Omit<AnomalyTrip, 'reason'> }): boolean;
}

export function teamPolicy(o: TeamPolicyOptions): { policy: PolicyHook; approvals: ApprovalGate } {
  const policyOf = perCall(o.db);
  const settings = async (call: PolicyCall): Promise<PolicySettingsRecord> => (await policyOf(call)).settings;
  const engine = createPolicyHook({
    rules: async (call) => (await policyOf(call)).rules,
    settings,
    onError: (err, call) => o.log.error({ err: err instanceof Error ? err.message : String(err), sessionId: call.sessionId, tool: call.tool.name }, 'policy evaluation failed; the call was denied'),
  });
  const limits = new AnomalyLimits({
    settings,
    onTrip: async (call, trip) => {
      const { reason, ...anomaly } = trip;
      o.log.warn({ sessionId: call.sessionId, runId: call.runId, ...trip }, 'anomaly limit reached; pausing the run');
      const session = await o.db.session.findUniqueOrThrow({ where: { id: call.sessionId }, select: { teamId: true } });
      await recordAnomaly(o.db, session.teamId, call, trip);
      o.pause(call.sessionId, call.runId, { reason, anomaly });
    },
  });
  return { policy: limits.policy(engine), approvals: limits.approvals(o.approvals) };
}

/** "Test a command": what the agent would be told for this call right now, and the rule that decided. */
export async function explainCall(db: Db, teamId: string, workspaceId: string | null, call: EvaluatedCall, profile: RunProfile | null = null) {
  const [rules, settings] = await Promise.all([rulesFor(db, teamId, workspaceId), getPolicySettings(db, teamId)]);
  const v = await evaluateWithProfile(call, rules, settings, profile);
  const rule = [...rules, ...profileRules(profile).map((r) => ({ ...r, note: `a rule of the ${profile!.name} profile` }))].find((r) => r.id === v.rule) ?? null;
  return {
    decision: v.decision, risk: v.risk, reason: v.reason, by: v.by, layer: v.layer, commands: v.commands,
    rule: rule && { id: rule.id, action: rule.action, tool: rule.tool, pattern: rule.pattern, scope: rule.scope, note: rule.note },
  };
}
