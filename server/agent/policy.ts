// The seam where the policy issue plugs in: every tool call is decided before it runs, and the
// decision is recorded with what made it. Until then everything is allowed.
import type { AnyTool } from './tools/tool.ts';

export interface PolicyCall {
  sessionId: string;
  runId: string;
  /** Whose message started the run. */
  userId: string;
  tool: AnyTool;
  input: unknown;
  /** The tool's own reason this call is high-risk (push, hard reset …), or null. */
  highRisk: string | null;
}

export interface PolicyDecision {
  decision: 'allow' | 'ask' | 'deny';
  reason: string;
  /** A rule id, a classifier name, or "default". */
  by: string;
}

export interface PolicyHook {
  decide(call: PolicyCall): Promise<PolicyDecision>;
}

export const allowAll: PolicyHook = {
  decide: async () => ({ decision: 'allow', reason: 'no policy configured: every call is allowed', by: 'default' }),
};

/** Waits for a person to answer an `ask`; by is their user id. */
export interface ApprovalGate {
  request(call: PolicyCall & { callId: string }, signal: AbortSignal): Promise<{ granted: boolean; by: string | null; reason: string }>;
}

/** Until approvals exist, asking means not running: the model is told why. */
export const noApprovals: ApprovalGate = {
  request: async () => ({ granted: false, by: null, reason: 'this call needs approval, and approvals are not available yet' }),
};
