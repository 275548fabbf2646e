// Stages 2–3 between model calls: extract candidates from the events since the last look,
// store them (closing what they supersede), and hand the prompt builder the live memory.
import type { Logger } from '../../log.ts';
import type { SessionEvent } from '../../sessions/event-types.ts';
import { extractFromEvents } from './extract.ts';
import type { MemoryStore } from './memory.ts';
import type { MemoryItemView } from './types.ts';

export interface SessionContext {
  /** Live memory for the next prompt, after extracting from events not seen yet. */
  refresh(sessionId: string, events: readonly SessionEvent[]): Promise<MemoryItemView[]>;
}

export class ContextPipeline implements SessionContext {
  /** Last seq extracted per session. Lost on restart, which is fine: extraction skips what is already stored. */
  private readonly extractedThrough = new Map<string, number>();

  constructor(private readonly store: MemoryStore, private readonly log: Logger) {}

  async refresh(sessionId: string, events: readonly SessionEvent[]): Promise<MemoryItemView[]> {
    const last = events.at(-1)?.seq ?? 0;
    const since = (this.extractedThrough.get(sessionId) ?? 0) + 1;
    if (last >= since) {
      // A failed extraction must not stop the run: the prompt goes out with the memory already stored.
      try {
        const all = await this.store.list(sessionId, { includeClosed: true });
        const candidates = extractFromEvents(events, all, { sinceSeq: since });
        if (candidates.length) await this.store.applyCandidates(sessionId, candidates);
        this.extractedThrough.set(sessionId, last);
      } catch (err) {
        this.log.error({ err, sessionId }, 'memory extraction failed; the prompt uses the memory stored so far');
      }
    }
    return this.store.list(sessionId);
  }
}
