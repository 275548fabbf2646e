// Leases in Redis: SET NX with an expiry, renewed by the holder while it works. A crashed holder
// stops renewing, so its lease lapses after LEASE_TTL_MS and another instance can take the work.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { Lease, Leases } from './leases.ts';

/** How long a lease outlives its holder's last renewal: the wait before another instance may take over. */
export const LEASE_TTL_MS = 15_000;
/** Renewed three times per TTL, so one slow round trip never loses it. */
const RENEW_EVERY_MS = LEASE_TTL_MS / 3;

// Compare-and-act, so a holder never renews or deletes a lease someone else took after it lapsed.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function redisLeases(redis: Redis, instanceId: string, log: Logger, prefix: string): Leases {
  return {
    async acquire(name) {
      const key = prefix + name;
      // The value names the holder and this claim, so a stale release from an older claim is a no-op.
      const token = `${instanceId}#${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      if ((await redis.set(key, token, 'PX', LEASE_TTL_MS, 'NX')) !== 'OK') return null;
      const lost = new AbortController();
      const renew = setInterval(() => {
        redis.eval(RENEW, 1, key, token, LEASE_TTL_MS)
          .then((ok) => {
            if (ok) return;
            clearInterval(renew);
            log.error({ lease: name }, 'lease lost: another instance may take this work over');
            lost.abort(new Error(`lease ${name} lost`));
          })
          .catch((err: unknown) => log.warn({ err, lease: name }, 'could not renew a lease; retrying'));
      }, RENEW_EVERY_MS);
      renew.unref();
      const lease: Lease = {
        name, lost: lost.signal,
        async release() {
          clearInterval(renew);
          await redis.eval(RELEASE, 1, key, token).catch((err: unknown) => log.warn({ err, lease: name }, 'could not release a lease; it lapses on its own'));
        },
      };
      return lease;
    },
    async holder(name) {
      const v = await redis.get(prefix + name);
      return v ? v.slice(0, v.lastIndexOf('#')) : null;
    },
  };
}
