// Who may answer an approval. Pure, so the same rule decides the buttons a person sees and
// what the server accepts. Session access (owner or team admin) is checked before this.
import type { Principal } from '../../auth/roles.ts';
import type { Risk } from '../policy.ts';
import { EGRESS_TOOL } from './suggested-rules.ts';

export interface ApprovalSubject {
  risk: string;
  tool: string;
  /** Whose message started the run that made the call. */
  requestedById: string | null;
}

/** Null when the principal may approve; otherwise why not, in words. */
export function approveRefusal(principal: Principal, a: ApprovalSubject): string | null {
  if ((a.risk as Risk) !== 'high') return null;
  if (principal.role !== 'admin') return 'A high-risk call needs an admin\'s approval.';
  // Four eyes: an admin's own high-risk request waits for a second admin.
  // A workspace process's network write (egress) was asked for by no person, so any admin may answer it.
  if (a.requestedById === null && a.tool === EGRESS_TOOL) return null;
  if (a.requestedById === null || a.requestedById === principal.user.id) return 'A high-risk call needs an admin other than the person whose message started the run.';
  return null;
}
