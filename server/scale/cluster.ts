// How this instance shares state with others. Without REDIS_URL: one instance, everything in
// process. With it: events, socket broadcasts, sign-in throttles, agent-run leases and stop
// requests go through Redis, so any number of instances behind a load balancer act as one.
import { hostname } from 'node:os';
import type { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from '../log.ts';
import type { Scope } from '../auth/login-throttle.ts';
import { memoryFailureLog, type FailureLog } from '../auth/rate-limit.ts';
import { createLocalBus, type EventBus } from '../sessions/bus.ts';
import { localLeases, type Leases } from './leases.ts';
import { localSignals, type Signals } from './signals.ts';

export interface Cluster {
  instanceId: string;
  /** True when other instances may exist (REDIS_URL). */
  shared: boolean;
  bus: EventBus;
  leases: Leases;
  signals: Signals;
  failureLog(scope: Scope): FailureLog;
  /** Socket.IO's Redis adapter, when shared: a broadcast to a room reaches its sockets on every instance. */
  socketAdapter: SocketAdapter | null;
  close(): Promise<void>;
}

type SocketAdapter = ReturnType<typeof createAdapter>;

/** The host name: stable across restarts (a container's name), so a restarted instance finds its workspaces its own. */
export const defaultInstanceId = () => hostname();

export function localCluster(log: Logger, instanceId = defaultInstanceId()): Cluster {
  return {
    instanceId, shared: false,
    bus: createLocalBus(), leases: localLeases(instanceId), signals: localSignals(log),
    failureLog: () => memoryFailureLog(),
    socketAdapter: null,
    close: async () => {},
  };
}

/** Connects to Redis (fails start-up with a clear message when it cannot) and builds the shared parts. */
/** prefix: of every key and channel (TETHER_REDIS_PREFIX). */
export async function redisCluster(url: string, log: Logger, instanceId = defaultInstanceId(), prefix = 'tether:'): Promise<Cluster> {
  // Loaded only here: a single instance never pays for the Redis client.
  const { Redis } = await import('ioredis');
  const [{ createRedisBus }, { redisLeases }, { redisSignals }, { redisFailureLog }, { createAdapter }] = await Promise.all([
    import('../sessions/redis-bus.ts'), import('./redis-leases.ts'), import('./signals.ts'), import('../auth/redis-failure-log.ts'),
    import('@socket.io/redis-adapter'),
  ]);
  const connect = async (role: string) => {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectionName: `tether:${instanceId}:${role}` });
    r.on('error', (err: Error) => log.error({ err: err.message, role }, 'Redis connection error'));
    try {
      await r.connect();
    } catch (err) {
      r.disconnect();
      throw new Error(`Could not connect to Redis at REDIS_URL (${(err as Error).message}).`);
    }
    return r;
  };
  // Subscriber connections can do nothing else, so events, signals and sockets each get their own.
  const [cmd, eventsSub, signalsSub, socketPub, socketSub] = await Promise.all(['cmd', 'events', 'signals', 'io-pub', 'io-sub'].map(connect));
  const all = [cmd!, eventsSub!, signalsSub!, socketPub!, socketSub!];
  return {
    instanceId, shared: true,
    bus: createRedisBus({ pub: cmd!, sub: eventsSub!, instanceId, log, prefix }),
    leases: redisLeases(cmd!, instanceId, log, `${prefix}lease:`),
    signals: await redisSignals({ pub: cmd!, sub: signalsSub!, log, prefix }),
    failureLog: (scope) => redisFailureLog(cmd!, `${prefix}login:${scope}:`),
    socketAdapter: createAdapter(socketPub!, socketSub!, { key: `${prefix}io` }),
    close: async () => { await Promise.all(all.map((r) => r.quit().catch(() => r.disconnect()))); },
  };
}
