import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { EventBus } from './bus.ts';
import type { Actor, NewEvent, SessionEvent } from './event-types.ts';
import { appendEvent, appendEvents, listEvents } from './events.ts';
import { eventAppendSeconds } from '../metrics/registry.ts';

export interface EventStream {
  append(sessionId: string, event: NewEvent, actor: Actor): Promise<SessionEvent>;
  /** Several events, atomically and in order (one database round trip). */
  appendMany(sessionId: string, items: { event: NewEvent; actor: Actor }[]): Promise<SessionEvent[]>;
  /**
   * Delivers every event after `afterSeq`, in order and exactly once, then live ones until
   * the returned function is called. Live events that arrive while the backlog is read are
   * held back and released after it, so a reconnecting reader misses nothing.
   */
  follow(sessionId: string, afterSeq: number, onEvent: (e: SessionEvent) => void): Promise<() => void>;
}

/** log: where a failed gap read is reported (the next live event retries it). */
export function createEventStream(db: Db, bus: EventBus, log?: Pick<Logger, 'error'>): EventStream {
  return {
    async append(sessionId, event, actor) {
      const timer = eventAppendSeconds.startTimer();
      const stored = await appendEvent(db, sessionId, event, actor);
      timer();
      bus.publish(stored);
      return stored;
    },
    async appendMany(sessionId, items) {
      const timer = eventAppendSeconds.startTimer();
      const stored = await appendEvents(db, sessionId, items);
      timer();
      stored.forEach((e) => bus.publish(e));
      return stored;
    },
    async follow(sessionId, afterSeq, onEvent) {
      let last = afterSeq;
      let held: SessionEvent[] | null = [];
      let closed = false;
      const deliver = (e: SessionEvent) => {
        if (closed || e.seq <= last) return;
        last = e.seq;
        onEvent(e);
      };
      // Events reach the bus in commit order only within one instance: across instances (or two
      // appends racing in one) a later seq can arrive first. Such a gap is read from the database
      // before the event is delivered, one at a time, so order holds and nothing is skipped.
      let live = Promise.resolve();
      const deliverInOrder = (e: SessionEvent) => {
        live = live.then(async () => {
          if (e.seq > last + 1) (await listEvents(db, sessionId, last, e.seq - last - 1)).forEach(deliver);
          deliver(e);
        }).catch((err: unknown) => { log?.error({ err, sessionId }, 'could not read a gap in the event stream; the next event retries it'); });
      };
      const unsubscribe = await bus.subscribe(sessionId, (e) => (held ? held.push(e) : deliverInOrder(e)));
      try {
        for (;;) {
          const page = await listEvents(db, sessionId, last);
          page.forEach(deliver);
          if (page.length < 500) break;
        }
        // A live event may have been published before the backlog query saw it, or be ahead
        // of a seq still in flight: read the gap from the database rather than skip it.
        const pending: SessionEvent[] = held;
        held = null;
        pending.sort((a, b) => a.seq - b.seq);
        for (const e of pending) {
          if (e.seq > last + 1) (await listEvents(db, sessionId, last, e.seq - last - 1)).forEach(deliver);
          deliver(e);
        }
      } catch (err) {
        unsubscribe();
        throw err;
      }
      return () => { closed = true; unsubscribe(); };
    },
  };
}
