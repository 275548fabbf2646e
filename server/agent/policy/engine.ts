// The policy engine: classify a call, match rules against each of its parts, decide.
//
// Semantics (docs/security.md, "Policy"):
// - Every part (each simple command of a shell line, or the one path / git argv of other tools)
//   is decided on its own: the strictest matching rule (deny > ask > allow) or, when no rule
//   matches, the default for its risk — low → allow, medium → settings.mediumAction, high → ask.
// - The call is the strictest of its parts: one denied part denies the whole line; every part
//   must be allowed for the call to be allowed.
// - A rule never turns a high-risk call into allow: a high part is at least ask, whatever the
//   rules say, so `allow run_command(*)` cannot let `rm -rf` through without a person's yes.
//   Rules can still deny high-risk calls outright.
// - Arguments that do not parse as the tool's input are denied (the tool would refuse them anyway).
import { z } from 'zod';
import type { PolicyAction, PolicyCall, PolicyHook, Risk } from '../policy.ts';
import { profileRules } from '../profiles/rules.ts';
import { classifyCall } from './classify.ts';
import { protectedPathIn } from './paths.ts';
import { describeRule, ruleMatches, type PolicyRule } from './rules.ts';

export { policyRuleInput, parseRuleText, describeRule, RULE_TOOLS, type PolicyRule, type PolicyRuleInput } from './rules.ts';

export const policySettingsInput = z.object({ mediumAction: z.enum(['allow', 'ask']) });
export type PolicySettings = z.infer<typeof policySettingsInput>;
export const DEFAULT_POLICY_SETTINGS: PolicySettings = { mediumAction: 'allow' };

/** Who decides when no rule does. */
export const CLASSIFIER = 'classifier';

export interface Verdict {
  decision: PolicyAction;
  risk: Risk;
  reason: string;
  /** The id of the rule that decided, or null when the classifier's default did. */
  rule: string | null;
  /** The rule id, or "classifier". */
  by: string;
  /**
   * The parsed parts of a run_command or git call, argv each, for highlighting in a prompt and
   * for rules: a simple command after wrappers with its program resolved (`timeout 5 /bin/rm x`
   * → `rm x`), or git's arguments after "git". `argv.join(' ')` is what rule patterns match, so
   * a rule made from it matches the same call again. [] for file tools.
   */
  commands: string[][];
  /** The call writes a protected path (.git, CI config, git hooks, .tether/): badged in prompts and tool cards. */
  protectedPath: boolean;
}

export interface EvaluatedCall { tool: string; input: unknown; highRisk?: string | null }

const STRICTNESS: Record<PolicyAction, number> = { allow: 0, ask: 1, deny: 2 };

interface PartDecision { action: PolicyAction; rule: PolicyRule | null; subject: string; risk: Risk; reason: string }

export async function evaluate(call: EvaluatedCall, rules: PolicyRule[], settings: PolicySettings): Promise<Verdict> {
  const c = await classifyCall(call.tool, call.input);
  let risk = c.risk;
  let riskReason = c.reason;
  if (call.highRisk && risk !== 'high') { risk = 'high'; riskReason = call.highRisk; }
  const commands = call.tool === 'run_command' || call.tool === 'git' ? c.parts.map((p) => p.argv).filter((a) => a.length) : [];
  const protectedPath = risk === 'high' && protectedPathIn(riskReason);
  const verdict = (decision: PolicyAction, reason: string, rule: PolicyRule | null): Verdict =>
    ({ decision, risk, reason, rule: rule?.id ?? null, by: rule?.id ?? CLASSIFIER, commands, protectedPath });

  if (c.invalid) return verdict('deny', c.reason, null);

  const parts: PartDecision[] = c.parts.map((p) => {
    const matching = rules.filter((r) => ruleMatches(r, call.tool, p.subject));
    const rule = strictest(matching);
    const action = rule ? rule.action : defaultFor(p.risk, settings);
    return { action, rule, subject: p.subject, risk: p.risk, reason: p.reason };
  });

  const denied = parts.find((p) => p.action === 'deny');
  if (denied) return verdict('deny', `${describeRule(denied.rule!)} matches "${denied.subject}"`, denied.rule);

  if (risk === 'high') {
    const allowedByRule = parts.some((p) => p.rule?.action === 'allow');
    const askRule = parts.find((p) => p.rule?.action === 'ask')?.rule ?? null;
    const note = allowedByRule && !askRule ? ' (an allow rule matched, but high-risk calls always need a person\'s yes)' : '';
    return verdict('ask', `high risk: ${riskReason}${note}`, askRule);
  }

  const asked = parts.find((p) => p.action === 'ask');
  if (asked) {
    if (asked.rule) return verdict('ask', `${describeRule(asked.rule)} matches "${asked.subject}"`, asked.rule);
    return verdict('ask', `${asked.risk} risk: ${asked.reason} (the team asks before ${asked.risk}-risk calls)`, null);
  }

  // The rule that made the call allowed: one that allowed a part its default would have asked
  // about, or, when rules cover every part, the first of them.
  const byRule = parts.find((p) => p.rule && defaultFor(p.risk, settings) !== 'allow') ?? (parts.every((p) => p.rule) ? parts[0] : undefined);
  if (byRule?.rule) return verdict('allow', `${describeRule(byRule.rule)} matches "${byRule.subject}"`, byRule.rule);
  return verdict('allow', `${risk} risk: ${riskReason}`, null);
}

function defaultFor(risk: Risk, settings: PolicySettings): PolicyAction {
  if (risk === 'low') return 'allow';
  if (risk === 'medium') return settings.mediumAction;
  return 'ask';
}

/** Deny beats ask beats allow; among equals the earlier rule, so order is what people read. */
function strictest(rules: PolicyRule[]): PolicyRule | null {
  let best: PolicyRule | null = null;
  for (const r of rules) if (!best || STRICTNESS[r.action] > STRICTNESS[best.action]) best = r;
  return best;
}

export interface PolicySource {
  rules(call: PolicyCall): Promise<PolicyRule[]>;
  settings(call: PolicyCall): Promise<PolicySettings>;
}

/**
 * The hook the agent loop calls. If rules or settings cannot be loaded, or classification
 * throws, the call is denied with the cause in words: a broken policy fails closed.
 */
export function createPolicyHook(o: PolicySource & { onError?(err: unknown, call: PolicyCall): void }): PolicyHook {
  return {
    async decide(call) {
      try {
        const [rules, settings] = await Promise.all([o.rules(call), o.settings(call)]);
        // The run's profile rules join the team's: ask and deny only, so they can narrow, never widen.
        const v = await evaluate({ tool: call.tool.name, input: call.input, highRisk: call.highRisk }, [...rules, ...profileRules(call.profile)], settings);
        return { decision: v.decision, reason: v.reason, by: v.by, risk: v.risk, rule: v.rule, commands: v.commands, ...(v.protectedPath ? { protectedPath: true } : {}) };
      } catch (err) {
        o.onError?.(err, call);
        const message = err instanceof Error ? err.message : String(err);
        return { decision: 'deny', reason: `the policy could not be evaluated (${message}), so the call was not run`, by: CLASSIFIER, risk: 'high', rule: null };
      }
    },
  };
}
