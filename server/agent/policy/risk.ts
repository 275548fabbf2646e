// Risk levels as an order, and a finding: a risk with its reason in words.
import type { Risk } from '../policy.ts';

export interface Finding { risk: Risk; reason: string }

const ORDER: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

export const low = (reason: string): Finding => ({ risk: 'low', reason });
export const medium = (reason: string): Finding => ({ risk: 'medium', reason });
export const high = (reason: string): Finding => ({ risk: 'high', reason });

/** The highest finding; among equals the first, the one nearest the start of the line. */
export function worst(findings: Finding[], fallback: Finding): Finding {
  let best: Finding | null = null;
  for (const f of findings) if (!best || ORDER[f.risk] > ORDER[best.risk]) best = f;
  return best ?? fallback;
}

export function riskAtLeast(r: Risk, than: Risk): boolean {
  return ORDER[r] >= ORDER[than];
}
