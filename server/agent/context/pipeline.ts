// Stages 2–3 between model calls: extract candidates from the events since the last look
// (rules always; the model too when an extraction route is configured, once per turn), store
// them (closing what they supersede), and hand the prompt builder the live memory.
import type { Logger } from '../../log.ts';
import { systemActor, type SessionEvent } from '../../sessions/event-types.ts';
import type { EventStream } from '../../sessions/stream.ts';
import { extractWithModel, type Generate } from './extract-model.ts';
import { extractFromEvents, withoutDuplicates } from './extract.ts';
import type { MemoryStore } from './memory.ts';
import type { Candidate, MemoryItemView } from './types.ts';

export interface SessionContext {
  /** Live memory for the next prompt, after extracting from events not seen yet; routes: the run's extraction chain (its task profile's), if it names one. */
  refresh(sessionId: string, events: readonly SessionEvent[], signal?: AbortSignal, routes?: readonly string[]): Promise<MemoryItemView[]>;
}

export interface ContextPipelineOptions {
  store: MemoryStore;
  events: Pick<EventStream, 'append'>;
  log: Logger;
  /** The extraction route; without it only the rules run. */
  extraction?: Generate;
}

/** A turn ends when the user speaks or a run ends: the model extraction looks once per turn. */
const TURN_BOUNDARY = new Set(['user.message', 'agent.run.ended']);

export class ContextPipeline implements SessionContext {
  /** Last seq each stage read per session. Lost on restart, which is fine: extraction skips what is already stored. */
  private readonly ruleSeq = new Map<string, number>();
  private readonly modelSeq = new Map<string, number>();

  constructor(private readonly o: ContextPipelineOptions) {}

  async refresh(sessionId: string, events: readonly SessionEvent[], signal?: AbortSignal, routes?: readonly string[]): Promise<MemoryItemView[]> {
    const last = events.at(-1)?.seq ?? 0;
    const since = (this.ruleSeq.get(sessionId) ?? 0) + 1;
    if (last < since) return this.o.store.list(sessionId);
    // A failed extraction must not stop the run: the prompt goes out with the memory stored so far.
    let unchanged: MemoryItemView[] | null = null;
    try {
      const all = await this.o.store.list(sessionId, { includeClosed: true });
      const candidates = extractFromEvents(events, all, { sinceSeq: since });
      candidates.push(...await this.modelCandidates(sessionId, events, all, candidates, signal, routes));
      if (candidates.length) await this.o.store.applyCandidates(sessionId, candidates);
      else unchanged = all;
      this.ruleSeq.set(sessionId, last);
    } catch (err) {
      this.o.log.error({ err, sessionId }, 'memory extraction failed; the prompt uses the memory stored so far');
    }
    return unchanged ? unchanged.filter((i) => i.status === 'live') : this.o.store.list(sessionId);
  }

  private async modelCandidates(sessionId: string, events: readonly SessionEvent[], all: MemoryItemView[], rules: Candidate[], signal?: AbortSignal, routes?: readonly string[]): Promise<Candidate[]> {
    if (!this.o.extraction) return [];
    const since = (this.modelSeq.get(sessionId) ?? 0) + 1;
    let boundary = 0;
    for (let i = events.length - 1; i >= 0 && events[i]!.seq >= since; i--) if (TURN_BOUNDARY.has(events[i]!.type)) { boundary = events[i]!.seq; break; }
    if (!boundary) return [];
    this.modelSeq.set(sessionId, boundary);
    try {
      const { candidates, rejected } = await extractWithModel(this.o.extraction, events.filter((e) => e.seq <= boundary), all, { sinceSeq: since, signal, routes });
      if (rejected.length) this.o.log.warn({ sessionId, rejected }, 'the extraction model proposed items that failed validation');
      // Their refs must not collide with the rules' refs in the same batch.
      return withoutDuplicates(candidates, all, rules).map((c) => ({ ...c, ref: `model-${c.ref}` }));
    } catch (err) {
      if (signal?.aborted) return [];
      this.o.log.warn({ err, sessionId }, 'model extraction failed; rule extraction still ran');
      await this.o.events.append(sessionId, { type: 'error', payload: { source: 'memory', message: `Memory extraction by the model failed (${err instanceof Error ? err.message : String(err)}); memory from rules is still up to date.` } }, systemActor);
      return [];
    }
  }
}
