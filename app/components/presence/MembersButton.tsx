'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTRPC } from '../../lib/trpc.ts';
import '../share/share.css';

type MemberRole = 'editor' | 'viewer';
const ROLE_WORDS: Record<MemberRole, string> = { editor: 'Editor: works in the workspace', viewer: 'Viewer: reads only' };

/** "Members" in the session header: the owner and who else is in the session; the owner and admins add, change and remove. */
export function MembersButton({ sessionId }: { sessionId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="ghost small" onClick={() => { setOpen(true); dialog.current?.showModal(); }}>Members</button>
      <dialog ref={dialog} className="share-dialog" aria-label="Members" onClose={() => setOpen(false)}>
        {open && <MembersDialogBody sessionId={sessionId} onClose={() => dialog.current?.close()} />}
      </dialog>
    </>
  );
}

function MembersDialogBody({ sessionId, onClose }: { sessionId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions({ sessionId }));
  const manages = members.data?.yourRole === 'owner' || members.data?.yourRole === 'admin';
  const candidates = useQuery({ ...trpc.members.candidates.queryOptions({ sessionId }), enabled: manages });
  const refresh = () => Promise.all([
    queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey({ sessionId }) }),
    queryClient.invalidateQueries({ queryKey: trpc.members.candidates.queryKey({ sessionId }) }),
  ]);
  const add = useMutation(trpc.members.add.mutationOptions({ onSuccess: () => { setText(''); void refresh(); } }));
  const setRole = useMutation(trpc.members.setRole.mutationOptions({ onSuccess: () => void refresh() }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: () => void refresh() }));
  const [text, setText] = useState('');
  const pick = personNamed(candidates.data ?? [], text);
  const [role, setNewRole] = useState<MemberRole>('editor');
  const error = members.error ?? candidates.error ?? add.error ?? setRole.error ?? remove.error;

  return (
    <div className="page-pad">
      <div className="row"><h2>Members</h2><div className="spacer" /><button type="button" className="ghost small" onClick={onClose}>Close</button></div>
      {error && <p role="alert" className="form-error">{error.message}</p>}
      {members.data && (
        <table aria-label="People in this session">
          <thead><tr><th>Name</th><th>Email</th><th>Role</th><th /></tr></thead>
          <tbody>
            <tr><td>{members.data.owner.name}</td><td>{members.data.owner.email}</td><td>Owner</td><td /></tr>
            {members.data.members.map((m) => (
              <tr key={m.id}>
                <td>{m.name}</td>
                <td>{m.email}</td>
                <td>{manages
                  ? <select aria-label={`Role of ${m.name}`} value={m.role} disabled={setRole.isPending}
                      onChange={(e) => setRole.mutate({ sessionId, userId: m.id, role: e.target.value as MemberRole })}>
                      <option value="editor">{ROLE_WORDS.editor}</option><option value="viewer">{ROLE_WORDS.viewer}</option>
                    </select>
                  : ROLE_WORDS[m.role]}</td>
                <td>{manages && <button type="button" className="ghost danger small" disabled={remove.isPending}
                  onClick={() => remove.mutate({ sessionId, userId: m.id })}>Remove {m.name}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {members.data && members.data.members.length === 0 && <p className="muted">Nobody else is in this session yet.</p>}
      {manages && (
        <form className="row wrap" onSubmit={(e) => { e.preventDefault(); if (pick) add.mutate({ sessionId, userId: pick.id, role }); }}>
          <label>Person <input list={`member-candidates-${sessionId}`} value={text} placeholder="Name or email"
            onChange={(e) => setText(e.target.value)} /></label>
          <datalist id={`member-candidates-${sessionId}`}>
            {(candidates.data ?? []).map((c) => <option key={c.id} value={labelOf(c)} />)}
          </datalist>
          <label>Role <select value={role} onChange={(e) => setNewRole(e.target.value as MemberRole)}>
            <option value="editor">{ROLE_WORDS.editor}</option><option value="viewer">{ROLE_WORDS.viewer}</option>
          </select></label>
          <button type="submit" disabled={!pick || add.isPending}>Add member</button>
          {text && !pick && <p className="muted small-text">Pick a person of the team from the list.</p>}
          {candidates.data && candidates.data.length === 0 && <p className="muted">Everyone in the team is in this session already.</p>}
        </form>
      )}
    </div>
  );
}

type Candidate = { id: string; name: string; email: string };
const labelOf = (c: Candidate) => `${c.name} <${c.email}>`;

/** The team member the text names: their name, email or "Name <email>" (case-insensitive), if exactly one. */
function personNamed(candidates: Candidate[], text: string): Candidate | null {
  const t = text.trim().toLowerCase();
  const found = candidates.filter((c) => [labelOf(c), c.email, c.name].some((v) => v.toLowerCase() === t));
  return found.length === 1 ? found[0]! : null;
}
