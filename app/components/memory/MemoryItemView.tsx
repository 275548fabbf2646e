'use client';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC, type RouterOutputs } from '../../lib/trpc.ts';

export type MemoryItem = RouterOutputs['memory']['list'][number];

const ORIGIN: Record<MemoryItem['origin'], string> = { rule: 'found by rule', model: 'proposed by the model', user: 'added by a person' };
const EVENT_WORDS: Record<string, string> = {
  'user.message': 'message', 'agent.message': 'agent reply', 'agent.tool.result': 'tool result', 'agent.tool.requested': 'tool call', 'agent.run.ended': 'run end',
};

/** One memory item: its text, where it came from (links to the timeline), and what a person can do with it. */
export function MemoryItemView({ item, supersededBy, sessionId, readOnly, onShowEvent, onChanged }: {
  item: MemoryItem; supersededBy?: MemoryItem; sessionId: string; readOnly: string | null;
  onShowEvent: (seq: number) => void; onChanged: () => void;
}) {
  const trpc = useTRPC();
  const opts = { onSuccess: onChanged };
  const edit = useMutation(trpc.memory.edit.mutationOptions(opts));
  const pin = useMutation(trpc.memory.pin.mutationOptions(opts));
  const close = useMutation(trpc.memory.close.mutationOptions(opts));
  const promote = useMutation(trpc.memory.promote.mutationOptions(opts));
  const [draft, setDraft] = useState<string | null>(null);
  const error = edit.error ?? pin.error ?? close.error ?? promote.error;
  const live = item.status === 'live';
  const canChange = live && !readOnly;

  return (
    <li className={`memory-item ${item.status}`} aria-label={item.text}>
      {draft === null ? (
        <p className="memory-text">{item.text}</p>
      ) : (
        <form className="stack" onSubmit={(e) => { e.preventDefault(); edit.mutate({ sessionId, itemId: item.id, text: draft }, { onSuccess: () => setDraft(null) }); }}>
          <label className="small-text">Edit memory item
            <textarea value={draft} onChange={(e) => setDraft(e.target.value)} rows={2} />
          </label>
          <div className="row">
            <button type="submit" className="primary small" disabled={edit.isPending || !draft.trim()}>Save</button>
            <button type="button" className="ghost small" onClick={() => setDraft(null)}>Cancel</button>
          </div>
        </form>
      )}
      <div className="memory-meta small-text">
        {item.pinned && <span className="badge active">pinned</span>}
        {item.scope === 'workspace' && <span className="badge" title="Kept for every session of this workspace">workspace</span>}
        <span className="muted">{ORIGIN[item.origin]}{item.origin === 'model' ? ` (confidence ${Math.round(item.confidence * 100)}%)` : ''}{item.version > 1 ? ` · edited (v${item.version})` : ''}</span>
        {item.sources.map((s) => (
          <button key={s.seq} type="button" className="link small" title={s.excerpt} aria-label={`Show source event #${s.seq} (${EVENT_WORDS[s.type] ?? s.type}) in the timeline`} onClick={() => onShowEvent(s.seq)}>
            from #{s.seq} {EVENT_WORDS[s.type] ?? s.type}
          </button>
        ))}
        {item.fromOtherSession && <span className="muted">from another session of this workspace</span>}
      </div>
      {!live && <p className="muted small-text">Closed: {item.closedReason ?? 'no reason given'}{supersededBy ? ` — now “${supersededBy.text}”` : ''}</p>}
      {canChange && draft === null && (
        <div className="row memory-actions">
          <button type="button" className="ghost small" aria-label={`Edit “${item.text}”`} onClick={() => setDraft(item.text)}>Edit</button>
          <button type="button" className="ghost small" aria-label={`${item.pinned ? 'Unpin' : 'Pin'} “${item.text}”`} aria-pressed={item.pinned}
            onClick={() => pin.mutate({ sessionId, itemId: item.id, pinned: !item.pinned })}>{item.pinned ? 'Unpin' : 'Pin'}</button>
          <button type="button" className="ghost small" aria-label={`Close “${item.text}”`} onClick={() => close.mutate({ sessionId, itemId: item.id, reason: 'closed by a person: no longer holds' })}>Close</button>
          {item.scope === 'session' && (
            <button type="button" className="ghost small" aria-label={`Promote “${item.text}” to the workspace`} onClick={() => promote.mutate({ sessionId, itemId: item.id })}>Promote to workspace</button>
          )}
        </div>
      )}
      {error && <p role="alert" className="form-error small-text">{error.message}</p>}
    </li>
  );
}
