// Small requests between instances that have no event of their own (stop the run you hold, drop
// the viewers of a revoked share link).
// In one process they go straight to the handlers; with REDIS_URL over one Redis channel.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

export type SignalTopic = 'agent.stop' | 'share.revoked';

export interface Signals {
  /** Delivered to every instance's handlers for the topic, this one's included. */
  send(topic: SignalTopic, payload: unknown): Promise<void>;
  on(topic: SignalTopic, handler: (payload: unknown) => void): void;
}

function dispatcher(log: Logger) {
  const handlers = new Map<SignalTopic, ((payload: unknown) => void)[]>();
  return {
    on(topic: SignalTopic, handler: (payload: unknown) => void) { handlers.set(topic, [...(handlers.get(topic) ?? []), handler]); },
    deliver(topic: SignalTopic, payload: unknown) {
      for (const h of handlers.get(topic) ?? []) {
        try { h(payload); } catch (err) { log.error({ err, topic }, 'a signal handler failed'); }
      }
    },
  };
}

export function localSignals(log: Logger): Signals {
  const d = dispatcher(log);
  return { on: d.on, send: async (topic, payload) => d.deliver(topic, payload) };
}

export async function redisSignals(o: { pub: Redis; sub: Redis; log: Logger; prefix: string }): Promise<Signals> {
  const CHANNEL = `${o.prefix}signals`;
  const d = dispatcher(o.log);
  o.sub.on('message', (channel: string, raw: string) => {
    if (channel !== CHANNEL) return;
    try {
      const m = JSON.parse(raw) as { topic: SignalTopic; payload: unknown };
      d.deliver(m.topic, m.payload);
    } catch (err) {
      o.log.error({ err }, 'unreadable signal from another instance');
    }
  });
  await o.sub.subscribe(CHANNEL);
  return { on: d.on, send: async (topic, payload) => { await o.pub.publish(CHANNEL, JSON.stringify({ topic, payload })); } };
}
