// Memory rebuilt from a session's memory.* events alone: the log is the single source, so an
// exported session carries its memory, people's edits included.
import type { EventPayload, SessionEvent } from '../../sessions/event-types.ts';
import type { MemoryItemView, MemoryKind } from './types.ts';

export function replayMemory(events: readonly SessionEvent[]): MemoryItemView[] {
  const items = new Map<string, MemoryItemView>();
  for (const e of events) {
    switch (e.type) {
      case 'memory.added': {
        const p = e.payload as EventPayload<'memory.added'>;
        items.set(p.itemId, { id: p.itemId, kind: p.kind as MemoryKind, text: p.text, status: 'live', pinned: p.pinned, scope: p.scope, origin: p.origin, confidence: p.confidence, version: 1, sourceSeqs: p.sourceSeqs, supersededBy: null, closedReason: null });
        break;
      }
      case 'memory.edited': {
        const p = e.payload as EventPayload<'memory.edited'>;
        const i = items.get(p.itemId);
        if (i) Object.assign(i, { text: p.text, version: p.version });
        break;
      }
      case 'memory.pinned': {
        const p = e.payload as EventPayload<'memory.pinned'>;
        const i = items.get(p.itemId);
        if (i) i.pinned = p.pinned;
        break;
      }
      case 'memory.closed': {
        const p = e.payload as EventPayload<'memory.closed'>;
        const i = items.get(p.itemId);
        if (i) Object.assign(i, { status: 'closed', pinned: false, closedReason: p.reason, supersededBy: p.supersededBy ?? null });
        break;
      }
      case 'memory.promoted': {
        const i = items.get((e.payload as EventPayload<'memory.promoted'>).itemId);
        if (i) i.scope = 'workspace';
        break;
      }
    }
  }
  return [...items.values()];
}
