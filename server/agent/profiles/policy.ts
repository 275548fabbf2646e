// The profile's two layers in the policy: its scope, decided first (outside it is denied, never
// asked), and its rules, added to the team's (ask and deny only, so they narrow and never widen).
import { evaluate, type EvaluatedCall, type PolicySettings, type Verdict } from '../policy/engine.ts';
import type { PolicyRule } from '../policy/rules.ts';
import { layerOf, profileRules, scopeDecider, type DecidingLayer } from './rules.ts';
import type { PolicyHook } from '../policy.ts';
import { outOfScope } from './scope.ts';
import type { RunProfile } from './spec.ts';

/** Runs the scope check before the inner policy; a run without a profile goes straight through. */
export function scopedByProfile(inner: PolicyHook): PolicyHook {
  return {
    async decide(call) {
      if (!call.profile) return inner.decide(call);
      let out: string | null;
      try {
        out = await outOfScope(call.profile.spec, call.tool.name, call.input);
      } catch (err) {
        out = `its scope could not be checked (${err instanceof Error ? err.message : String(err)})`;
      }
      if (out === null) return inner.decide(call);
      return { decision: 'deny', reason: `outside the ${call.profile.name} task's scope: ${out}`, by: scopeDecider(call.profile.name), rule: null };
    },
  };
}

/** One call decided as the agent would get it, with the layer that decided: for "test a command" and policy:explain. */
export { layerOf, profileRules, type DecidingLayer };

export async function evaluateWithProfile(call: EvaluatedCall, teamRules: PolicyRule[], settings: PolicySettings, profile: RunProfile | null): Promise<Verdict & { layer: DecidingLayer }> {
  const v = await evaluate(call, [...teamRules, ...profileRules(profile)], settings);
  const out = profile ? await outOfScope(profile.spec, call.tool, call.input) : null;
  if (out !== null) return { ...v, decision: 'deny', reason: `outside the ${profile!.name} task's scope: ${out}`, rule: null, by: scopeDecider(profile!.name), layer: 'profile scope' };
  return { ...v, layer: layerOf(v.by) };
}
