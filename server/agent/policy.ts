// The seam between the agent loop and the policy layer: every tool call is decided before it runs,
// and the decision is recorded with what made it. The server plugs in the team's policy
// (policy/team-policy.ts) and the approval gate (approvals/); the defaults below serve only
// callers that pass neither (tests of the loop itself).
import type { LatestReleaseCheck } from '../release/record.ts';
import type { RunProfile } from './profiles/spec.ts';
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
  /** The task profile the run is under (its scope and rules apply), or null. */
  profile?: RunProfile | null;
}

export type Risk = 'low' | 'medium' | 'high';
export type PolicyAction = 'allow' | 'ask' | 'deny';

export interface PolicyDecision {
  decision: PolicyAction;
  /** In words, for the person asked and for the model when refused. */
  reason: string;
  /** A rule id, a classifier name, "default", or (after an approval) the deciding user's id. */
  by: string;
  /** How dangerous the call is; `high` may only be approved by an admin who did not start the run. */
  risk?: Risk;
  /** The id of the rule that decided, or null when no rule matched. */
  rule?: string | null;
  /** The parsed simple commands of a run_command / git call (argv each), for highlighting in a prompt. */
  commands?: string[][];
  /** The call writes a protected path (.git, CI config, git hooks, .tether/). */
  protectedPath?: boolean;
  /** For a publish: the latest release check of the workspace, or null when none was run. */
  releaseCheck?: LatestReleaseCheck | null;
}

export interface PolicyHook {
  decide(call: PolicyCall): Promise<PolicyDecision>;
}

export const allowAll: PolicyHook = {
  decide: async () => ({ decision: 'allow', reason: 'no policy configured: every call is allowed', by: 'default' }),
};

/** Waits for a person to answer an `ask`; by is their user id. */
export interface ApprovalGate {
  request(call: PolicyCall & { callId: string; decision: PolicyDecision }, signal: AbortSignal): Promise<{ granted: boolean; by: string | null; reason: string }>;
}

/** Without a gate, asking means not running: the model is told why. */
export const noApprovals: ApprovalGate = {
  request: async () => ({ granted: false, by: null, reason: 'this call needs approval, and approvals are not available yet' }),
};
