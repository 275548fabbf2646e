'use client';
import Link from 'next/link';
import { ApprovalActions } from './ApprovalActions.tsx';
import { ApprovalDetail } from './ApprovalDetail.tsx';
import { useApprovalQueue } from './useApprovalQueue.ts';

/** /admin/approvals: every call in the team waiting for a person, live. */
export function ApprovalQueue() {
  const queue = useApprovalQueue(true);
  return (
    <section className="stack" aria-labelledby="approvals-heading">
      <h1 id="approvals-heading">Approvals</h1>
      {queue.error && <p role="alert" className="form-error">Could not load the queue: {queue.error.message}</p>}
      {queue.data && !queue.data.length && <p className="muted">Nothing is waiting for approval.</p>}
      <ul className="approval-queue" aria-label="Pending approvals">
        {queue.data?.map((a) => (
          <li key={a.id} className="card approval-item" aria-label={`${a.tool} in ${a.sessionTitle}`}>
            <p className="row"><Link href={`/sessions/${a.sessionId}`}>{a.sessionTitle}</Link>
              <span className="muted small-text">requested {new Date(a.createdAt).toLocaleTimeString()}, expires {new Date(a.expiresAt).toLocaleTimeString()}</span></p>
            <ApprovalDetail approval={a} />
            <ApprovalActions approval={a} />
          </li>
        ))}
      </ul>
    </section>
  );
}
