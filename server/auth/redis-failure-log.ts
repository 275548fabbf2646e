// Failure times in Redis, one sorted set per key (scored by time), trimmed to the window and
// expiring with it: every instance reads and adds to the same counts.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FailureLog } from './rate-limit.ts';

/** Keys hold emails and addresses: hashed, so Redis never stores them in the clear. */
const keyOf = (prefix: string, key: string) => prefix + createHash('sha256').update(key).digest('base64url');

export function redisFailureLog(redis: Redis, prefix: string): FailureLog {
  return {
    async since(key, since) {
      const members = await redis.zrangebyscore(keyOf(prefix, key), `(${since}`, '+inf', 'WITHSCORES');
      const times: number[] = [];
      for (let i = 1; i < members.length; i += 2) times.push(Number(members[i]));
      return times;
    },
    async add(key, at, windowMs) {
      const k = keyOf(prefix, key);
      // A random member: two failures in the same millisecond both count.
      await redis.multi()
        .zadd(k, at, `${at}:${randomBytes(4).toString('hex')}`)
        .zremrangebyscore(k, '-inf', at - windowMs)
        .pexpire(k, windowMs)
        .exec();
    },
    async reset(key) { await redis.del(keyOf(prefix, key)); },
  };
}
