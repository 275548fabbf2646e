import type { SessionEvent } from '../../../server/realtime/protocol.ts';

/** Approval ids requested in these events and not yet decided: the run is waiting for a person. */
export function pendingApprovalIds(events: SessionEvent[]): string[] {
  const pending = new Set<string>();
  for (const e of events) {
    const id = (e.payload as { approvalId?: string }).approvalId;
    if (e.type === 'agent.approval.requested' && id) pending.add(id);
    else if (e.type === 'agent.approval.decided' && id) pending.delete(id);
  }
  return [...pending];
}
