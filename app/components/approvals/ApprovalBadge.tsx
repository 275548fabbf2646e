'use client';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { useApprovalQueue } from './useApprovalQueue.ts';

const notifications = () => (typeof Notification === 'undefined' ? null : Notification);

/** Header link to the admin queue with the number waiting, and a desktop notification for each new one. */
export function ApprovalBadge({ prefetch }: { prefetch?: false }) {
  const queue = useApprovalQueue(true);
  const count = queue.data?.length ?? 0;
  const seen = useRef<Set<string> | null>(null);
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>('unsupported');
  useEffect(() => { setPermission(notifications()?.permission ?? 'unsupported'); }, []);

  useEffect(() => {
    if (!queue.data) return;
    const ids = new Set(queue.data.map((a) => a.id));
    // The first load is what was already waiting: notify only for approvals that arrive later.
    if (seen.current && permission === 'granted') {
      for (const a of queue.data.filter((x) => !seen.current!.has(x.id))) {
        new Notification('Tether: approval required', { body: `${a.tool} (${a.risk} risk) in ${a.sessionTitle}: ${a.reason}`, tag: a.id });
      }
    }
    seen.current = ids;
  }, [queue.data, permission]);

  return (
    <span className="row approval-badge">
      <Link href="/admin/approvals" prefetch={prefetch} aria-label={`Approvals: ${count} waiting`}>
        Approvals{count > 0 && <span className="badge failed count">{count}</span>}
      </Link>
      {permission === 'default' && (
        <button type="button" className="ghost small" onClick={() => void notifications()?.requestPermission().then(setPermission)}>Notify me</button>
      )}
    </span>
  );
}
