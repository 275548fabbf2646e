'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { SessionEvent } from '../../../server/realtime/protocol.ts';
import { useTRPC } from '../../lib/trpc.ts';
import { ApprovalActions } from './ApprovalActions.tsx';
import { ApprovalDetail } from './ApprovalDetail.tsx';

/**
 * Shown to everyone viewing the session while a call waits for a person. The session's event
 * stream says when approvals change; the list itself (with what this viewer may do) comes from the API.
 */
export function ApprovalPrompt({ sessionId, events }: { sessionId: string; events: SessionEvent[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.approvals.list.queryOptions({ sessionId }));
  const lastApprovalSeq = events.filter((e) => e.type === 'agent.approval.requested' || e.type === 'agent.approval.decided').at(-1)?.seq;
  useEffect(() => {
    if (lastApprovalSeq) void queryClient.invalidateQueries({ queryKey: trpc.approvals.list.queryKey({ sessionId }) });
  }, [lastApprovalSeq, queryClient, trpc, sessionId]);

  const pending = (list.data ?? []).filter((a) => a.status === 'pending' && Date.parse(a.expiresAt) > Date.now());
  if (list.error) return <p role="alert" className="banner error">Could not load approvals: {list.error.message}</p>;
  if (!pending.length) return null;
  return (
    <section className="approval-prompt" role="region" aria-label="Approval required">
      <h2>Approval required</h2>
      {pending.map((a) => (
        <div key={a.id} className="approval-item">
          <ApprovalDetail approval={a} />
          <p className="muted small-text">Expires at {new Date(a.expiresAt).toLocaleTimeString()}; unanswered, it is denied.</p>
          <ApprovalActions approval={a} />
        </div>
      ))}
    </section>
  );
}
