// The event bus across instances: an event appended on one instance reaches the followers of its
// session on every instance. Local listeners hear it at once; other instances through one Redis
// channel per session, subscribed while anyone here follows that session.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { createLocalBus, type EventBus } from './bus.ts';
import type { SessionEvent } from './event-types.ts';

interface Envelope { from: string; event: SessionEvent }

export function createRedisBus(o: { pub: Redis; sub: Redis; instanceId: string; log: Logger; prefix: string }): EventBus {
  const CHANNEL = `${o.prefix}events:`;
  const local = createLocalBus();
  const subscribed = new Map<string, Promise<unknown>>();

  o.sub.on('message', (channel: string, raw: string) => {
    if (!channel.startsWith(CHANNEL)) return;
    try {
      const m = JSON.parse(raw) as Envelope;
      // Our own events were delivered locally when they were published.
      if (m.from !== o.instanceId) local.publish(m.event);
    } catch (err) {
      o.log.error({ err, channel }, 'unreadable event on the bus');
    }
  });

  return {
    publish(event) {
      local.publish(event);
      const envelope: Envelope = { from: o.instanceId, event };
      // A lost publish is repaired by followers: they read any gap in seq from the database.
      o.pub.publish(CHANNEL + event.sessionId, JSON.stringify(envelope))
        .catch((err: unknown) => o.log.error({ err, sessionId: event.sessionId, seq: event.seq }, 'could not publish an event to other instances'));
    },
    async subscribe(sessionId, listener) {
      const stop = await local.subscribe(sessionId, listener);
      let ready = subscribed.get(sessionId);
      if (!ready) {
        ready = o.sub.subscribe(CHANNEL + sessionId);
        subscribed.set(sessionId, ready);
      }
      await ready;
      return () => {
        stop();
        if (local.emitter.listenerCount(sessionId) > 0) return;
        subscribed.delete(sessionId);
        o.sub.unsubscribe(CHANNEL + sessionId).catch((err: unknown) => o.log.warn({ err, sessionId }, 'could not unsubscribe from a session channel'));
      };
    },
  };
}
