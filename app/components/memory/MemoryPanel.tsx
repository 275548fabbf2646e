'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { MemoryKind } from '../../../server/agent/context/types.ts';
import type { SessionEvent } from '../../../server/realtime/protocol.ts';
import { useTRPC } from '../../lib/trpc.ts';
import { errorOf } from '../Field.tsx';
import { MemoryItemView } from './MemoryItemView.tsx';
import { useMemoryItems } from './useMemoryItems.ts';

/** In the order a person reads them: what we want, the rules, what was settled, what is broken, what is done. */
export const KIND_TITLES: Record<MemoryKind, string> = {
  goal: 'Goals', constraint: 'Constraints', decision: 'Decisions', known_issue: 'Known issues', done: 'Done',
};
const KIND_NAMES: Record<MemoryKind, string> = {
  goal: 'Goal', constraint: 'Constraint', decision: 'Decision', known_issue: 'Known issue', done: 'Done (finished work)',
};
const KINDS = Object.keys(KIND_TITLES) as MemoryKind[];

/**
 * What the agent remembers of this session (and its workspace): items grouped by kind, each with
 * the events it came from. People add, edit, pin, close and promote items; every change is an
 * event, and memory.* events from anyone refresh the list.
 */
export function MemoryPanel({ sessionId, events, readOnly, onShowEvent }: {
  sessionId: string; events: SessionEvent[]; readOnly: string | null; onShowEvent: (seq: number) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useMemoryItems(sessionId, events);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.memory.list.queryKey({ sessionId }) });
  const add = useMutation(trpc.memory.add.mutationOptions({ onSuccess: refresh }));
  const [kind, setKind] = useState<MemoryKind>('constraint');
  const [text, setText] = useState('');
  const [pinned, setPinned] = useState(false);
  const { message, fields } = errorOf(add.error);

  const items = list.data ?? [];
  const live = items.filter((i) => i.status === 'live');
  const closed = items.filter((i) => i.status === 'closed');
  const byId = new Map(items.map((i) => [i.id, i]));

  return (
    <section className="panel memory-panel" aria-label="Memory">
      <div className="panel-head">
        <span className="muted small-text">{live.length} live · {live.filter((i) => i.pinned).length} pinned · {closed.length} closed</span>
      </div>
      {list.error && <p role="alert" className="banner error">Could not load memory: {list.error.message}</p>}
      <div className="memory-body">
        {list.isPending && <p className="muted placeholder">Loading…</p>}
        {list.data && !live.length && <p className="muted placeholder">Nothing remembered yet. Goals, rules and decisions stated in messages appear here, or add one below.</p>}
        {KINDS.map((k) => {
          const group = live.filter((i) => i.kind === k);
          if (!group.length) return null;
          return (
            <section key={k} aria-labelledby={`memory-${k}`} className="memory-group">
              <h3 id={`memory-${k}`}>{KIND_TITLES[k]} <span className="muted">({group.length})</span></h3>
              <ul>{group.map((i) => <MemoryItemView key={i.id} item={i} sessionId={sessionId} readOnly={readOnly} onShowEvent={onShowEvent} onChanged={refresh} />)}</ul>
            </section>
          );
        })}
        {closed.length > 0 && (
          <details className="memory-group">
            <summary>Closed ({closed.length})</summary>
            <ul>{closed.map((i) => <MemoryItemView key={i.id} item={i} supersededBy={i.supersededBy ? byId.get(i.supersededBy) : undefined} sessionId={sessionId} readOnly={readOnly} onShowEvent={onShowEvent} onChanged={refresh} />)}</ul>
          </details>
        )}
      </div>
      {!readOnly && (
        <form className="memory-add" aria-label="Add a memory item" onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ sessionId, kind, text, pinned }, { onSuccess: () => { setText(''); setPinned(false); } });
        }}>
          <label className="small-text">Kind
            <select value={kind} onChange={(e) => setKind(e.target.value as MemoryKind)}>
              {KINDS.map((k) => <option key={k} value={k}>{KIND_NAMES[k]}</option>)}
            </select>
          </label>
          <label className="small-text grow">New memory item
            <input value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. Never change the public API of src/parser" aria-invalid={fields.text ? true : undefined} />
          </label>
          <label className="small-text row"><input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.target.checked)} /> Pin</label>
          <button type="submit" className="primary small" disabled={add.isPending || !text.trim()}>Add</button>
          {(fields.text ?? message) && <p role="alert" className="form-error small-text">{fields.text?.join(' ') ?? message}</p>}
        </form>
      )}
    </section>
  );
}
