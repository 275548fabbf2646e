'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTRPC } from '../../lib/trpc.ts';
import './share.css';

const EXPIRIES = [
  { label: '1 hour', hours: 1 }, { label: '1 day', hours: 24 }, { label: '7 days', hours: 24 * 7 }, { label: '30 days', hours: 24 * 30 },
] as const;

const when = (iso: string | null, none: string) => (iso ? new Date(iso).toLocaleString() : none);

/** "Share" in the session header: create a review link (shown once), list and revoke links. */
export function ShareButton({ sessionId, isAdmin }: { sessionId: string; isAdmin: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="ghost small" onClick={() => { setOpen(true); dialog.current?.showModal(); }}>Share</button>
      <dialog ref={dialog} className="share-dialog" aria-label="Share session" onClose={() => setOpen(false)}>
        {open && <ShareDialogBody sessionId={sessionId} isAdmin={isAdmin} onClose={() => dialog.current?.close()} />}
      </dialog>
    </>
  );
}

function ShareDialogBody({ sessionId, isAdmin, onClose }: { sessionId: string; isAdmin: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const links = useQuery(trpc.share.list.queryOptions({ sessionId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.share.list.queryKey({ sessionId }) });
  const [scope, setScope] = useState<'view' | 'comment'>('view');
  const [expiry, setExpiry] = useState<string>('24');
  const [membersOnly, setMembersOnly] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation(trpc.share.create.mutationOptions({
    onSuccess: (r) => { setCreated(`${window.location.origin}/s/${r.token}`); void refresh(); },
  }));
  const revoke = useMutation(trpc.share.revoke.mutationOptions({ onSuccess: () => void refresh() }));

  return (
    <div className="page-pad">
      <div className="row"><h2>Share session</h2><div className="spacer" /><button type="button" className="ghost small" onClick={onClose}>Close</button></div>
      <form className="row wrap" onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ sessionId, scope, membersOnly, expiresInHours: expiry === 'never' ? 'never' : Number(expiry) });
      }}>
        <label>Access <select value={scope} onChange={(e) => setScope(e.target.value as 'view' | 'comment')}>
          <option value="view">View only</option><option value="comment">View and comment</option>
        </select></label>
        <label>Expires after <select value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {EXPIRIES.map((x) => <option key={x.hours} value={String(x.hours)}>{x.label}</option>)}
          {isAdmin && <option value="never">Never</option>}
        </select></label>
        <label className="row"><input type="checkbox" checked={membersOnly} onChange={(e) => setMembersOnly(e.target.checked)} /> Only signed-in members of this team</label>
        <button type="submit" disabled={create.isPending}>Create link</button>
      </form>
      {create.error && <p role="alert" className="form-error">{create.error.message}</p>}
      {created && (
        <div role="status">
          <label>New link (shown once: copy it now) <input className="share-new-link" readOnly value={created} onFocus={(e) => e.target.select()} /></label>
          <button type="button" className="ghost small" onClick={() => void navigator.clipboard?.writeText(created)}>Copy link</button>
        </div>
      )}
      <h3>Links</h3>
      {links.error && <p role="alert" className="form-error">{links.error.message}</p>}
      {revoke.error && <p role="alert" className="form-error">{revoke.error.message}</p>}
      {links.data && links.data.length === 0 && <p className="muted">No links yet.</p>}
      {links.data && links.data.length > 0 && (
        <table aria-label="Share links">
          <thead><tr><th>Created by</th><th>Access</th><th>Expires</th><th>Last used</th><th>Status</th><th /></tr></thead>
          <tbody>
            {links.data.map((l) => {
              const status = l.revokedAt ? 'revoked' : l.expiresAt && new Date(l.expiresAt) <= new Date() ? 'expired' : 'active';
              return (
                <tr key={l.id}>
                  <td>{l.createdBy} <span className="muted small-text">{when(l.createdAt, '')}</span></td>
                  <td>{l.scope === 'comment' ? 'view and comment' : 'view only'}{l.membersOnly ? ', members only' : ''}</td>
                  <td>{when(l.expiresAt, 'never')}</td>
                  <td>{when(l.lastUsedAt, 'not yet')}</td>
                  <td>{status}</td>
                  <td>{status === 'active' && (
                    <button type="button" className="ghost danger small" aria-label={`Revoke link created ${when(l.createdAt, '')}`} disabled={revoke.isPending}
                      onClick={() => revoke.mutate({ sessionId, linkId: l.id })}>Revoke</button>
                  )}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
