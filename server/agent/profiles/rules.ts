// How a profile's rules and layers are named in decisions: its rules join the team's with ids
// `profile:<name>#<n>`, a scope denial is decided by `profile-scope:<name>`.
import type { PolicyRule } from '../policy/rules.ts';
import type { RunProfile } from './spec.ts';

/** The `by` of a scope denial: which layer decided, and under which profile. */
export const scopeDecider = (profile: string) => `profile-scope:${profile}`;
const RULE_ID_PREFIX = 'profile:';

export function profileRules(p: RunProfile | null | undefined): PolicyRule[] {
  return (p?.spec.rules ?? []).map((r, i) => ({ id: `${RULE_ID_PREFIX}${p!.name}#${i + 1}`, action: r.action, tool: r.tool, pattern: r.pattern, scope: 'profile' }));
}

export type DecidingLayer = 'profile scope' | 'profile rule' | 'team rule' | 'classifier';

/** Which layer a decision's `by` names (approvals aside: those are a person's id). */
export function layerOf(by: string): DecidingLayer {
  if (by.startsWith('profile-scope:')) return 'profile scope';
  if (by.startsWith(RULE_ID_PREFIX)) return 'profile rule';
  if (by === 'classifier' || by === 'default') return 'classifier';
  return 'team rule';
}

