'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc.ts';
import type { Approval } from './ApprovalDetail.tsx';

/** Approve / Deny. The server decides who may answer; each button says so before anyone tries. */
export function ApprovalActions({ approval }: { approval: Approval }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const decide = useMutation(trpc.approvals.decide.mutationOptions({
    onSettled: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.approvals.list.queryKey({ sessionId: approval.sessionId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.approvals.queue.queryKey() }),
    ]),
  }));
  const answer = (approve: boolean, addRule = false) => decide.mutate({ sessionId: approval.sessionId, approvalId: approval.id, approve, addRule });
  const rules = approval.suggestedRules.map((r) => `allow ${r.tool}(${r.pattern})`);
  // The egress proxy's question (a host not on the allowlist) reads as the person would say it.
  const network = approval.tool === 'network';
  return (
    <div className="approval-actions">
      <div className="row">
        <button type="button" className="primary small" disabled={decide.isPending || !!approval.approveRefusal} onClick={() => answer(true)}
          title={approval.approveRefusal ?? undefined}>{network ? 'Allow once' : 'Approve'}</button>
        {rules.length > 0 && (
          <button type="button" className="small" disabled={decide.isPending} onClick={() => answer(true, true)}
            title={network ? `Also adds ${approval.suggestedRules[0]?.pattern} to this workspace's network allowlist` : `Also adds, for this workspace: ${rules.join(', ')}`}>
            {network ? 'Allow always' : 'Approve and add rule'}
          </button>
        )}
        <button type="button" className="small danger" disabled={decide.isPending || !!approval.denyRefusal} onClick={() => answer(false)}
          title={approval.denyRefusal ?? undefined}>Deny</button>
      </div>
      {approval.approveRefusal && <p className="muted small-text">{approval.approveRefusal}</p>}
      {network && decide.isSuccess && decide.variables.addRule && <p role="status" className="small-text">Added {approval.suggestedRules[0]?.pattern} to this workspace&apos;s network allowlist.</p>}
      {decide.data && decide.data.rulesAdded.length > 0 && <p role="status" className="small-text">Added {decide.data.rulesAdded.map((r) => `allow ${r.tool}(${r.pattern})`).join(', ')}.</p>}
      {decide.error && <p role="alert" className="form-error">{decide.error.message}</p>}
    </div>
  );
}
