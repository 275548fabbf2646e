// Fan-out of appended events to live subscribers. In-process by default; the scale-out
// issue swaps in a Redis-backed implementation of the same interface.
import { EventEmitter } from 'node:events';
import type { SessionEvent } from './event-types.ts';

export interface EventBus {
  publish(event: SessionEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(sessionId: string, listener: (event: SessionEvent) => void): () => void;
}

export function createLocalBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (event) => { emitter.emit(event.sessionId, event); },
    subscribe: (sessionId, listener) => {
      emitter.on(sessionId, listener);
      return () => { emitter.off(sessionId, listener); };
    },
  };
}
