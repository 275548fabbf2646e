// Fan-out of appended events to live subscribers: in process (createLocalBus), or across
// instances through Redis (redis-bus.ts) when REDIS_URL is set.
import { EventEmitter } from 'node:events';
import type { SessionEvent } from './event-types.ts';

export interface EventBus {
  publish(event: SessionEvent): void;
  /** Resolves once live events reach the listener (from any instance); returns the unsubscribe function. */
  subscribe(sessionId: string, listener: (event: SessionEvent) => void): Promise<() => void>;
}

export function createLocalBus(): EventBus & { emitter: EventEmitter } {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emitter,
    publish: (event) => { emitter.emit(event.sessionId, event); },
    subscribe: async (sessionId, listener) => {
      emitter.on(sessionId, listener);
      return () => { emitter.off(sessionId, listener); };
    },
  };
}
