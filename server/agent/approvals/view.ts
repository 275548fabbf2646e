// What a person sees of an approval: the call, why it was asked about, and whether they may answer.
import type { Principal } from '../../auth/roles.ts';
import type { Db } from '../../db/client.ts';
import { protectedPathIn } from '../policy/paths.ts';
import { approveRefusal } from './authority.ts';
import { suggestedRules, type SuggestedRule } from './suggested-rules.ts';

export type ApprovalRow = Awaited<ReturnType<Db['approval']['findFirstOrThrow']>>;

export interface ApprovalView {
  id: string;
  sessionId: string;
  runId: string;
  callId: string;
  tool: string;
  risk: string;
  reason: string;
  rule: string | null;
  /** The call writes a protected path (.git, CI config, git hooks, .tether/): the prompt badges it. */
  protectedPath: boolean;
  /** { input, commands? }: the call's arguments and what the policy parsed from them. */
  detail: unknown;
  status: string;
  requestedById: string | null;
  decidedById: string | null;
  answer: string | null;
  createdAt: string;
  expiresAt: string;
  /** Null when the viewer may approve; otherwise why not. */
  approveRefusal: string | null;
  /** Null when the viewer may deny: anyone who may work in the session; a session viewer may not. */
  denyRefusal: string | null;
  /** What "Approve and add rule" would add (allow rules); empty when it is not offered to this viewer. */
  suggestedRules: SuggestedRule[];
}

export function toView(r: ApprovalRow, viewer: Principal): ApprovalView {
  const refusal = approveRefusal(viewer, r);
  return {
    id: r.id, sessionId: r.sessionId, runId: r.runId, callId: r.toolCallId, tool: r.tool, risk: r.risk,
    reason: r.reason ?? '', rule: r.rule, protectedPath: r.risk === 'high' && protectedPathIn(r.reason ?? ''), detail: r.detail, status: r.status,
    requestedById: r.requestedById, decidedById: r.decidedById, answer: r.answer,
    createdAt: r.createdAt.toISOString(), expiresAt: r.expiresAt.toISOString(),
    approveRefusal: refusal,
    denyRefusal: null,
    // Rules are the admins' to change.
    suggestedRules: viewer.role === 'admin' && !refusal ? suggestedRules(r) : [],
  };
}
