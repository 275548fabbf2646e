import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.ts';
import { redisFailureLog } from './redis-failure-log.ts';

// The same policy over both failure logs: in memory (one instance), and in Redis (several)
// when TEST_REDIS_URL names a server.
const REDIS_URL = process.env.TEST_REDIS_URL;
const redis = REDIS_URL ? new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
afterAll(async () => { redis?.disconnect(); });
const stores: Record<string, (now: () => number) => LoginThrottle> = {
  memory: (now) => new LoginThrottle(now),
  ...(redis ? {
    redis: (now: () => number) => {
      const run = randomBytes(4).toString('hex');
      return new LoginThrottle(now, (scope) => redisFailureLog(redis, `tether-test:${run}:${scope}:`));
    },
  } : {}),
};

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

const attempt = (email: string, address: string, knownDevice: string | null = null) => ({ email, address, knownDevice });

describe.each(Object.keys(stores))('LoginThrottle (failures in %s)', (store) => {
  const newThrottle = stores[store]!;
  it('gives one guesser a few tries, then doubling waits (never a lockout): a few dozen guesses an hour', async () => {
    const c = clock();
    const t = newThrottle(c.now);
    const a = attempt('victim@example.test', '10.0.0.1');
    for (let i = 0; i < 3; i++) { expect(await t.check(a)).toBeNull(); await t.failed(a); }
    const waits: number[] = [];
    const start = c.now();
    let tries = 3;
    while (c.now() - start < 3600_000) {
      const w = (await t.check(a))!;
      waits.push(w.waitMs);
      c.advance(w.waitMs);
      expect(await t.check(a)).toBeNull(); // after waiting, the next try is allowed
      await t.failed(a);
      tries++;
    }
    expect(waits.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(Math.max(...waits)).toBeLessThanOrEqual(15 * 60_000);
    expect(tries).toBeLessThan(60);
  });

  it('does not slow the account from another address until many addresses have failed', async () => {
    const c = clock();
    const t = newThrottle(c.now);
    for (let i = 0; i < 5; i++) await t.failed(attempt('victim@example.test', '10.0.0.1'));
    expect(await t.check(attempt('victim@example.test', '10.0.0.2'))).toBeNull();
    for (let i = 0; i < 10; i++) await t.failed(attempt('victim@example.test', `10.0.1.${i}`));
    expect((await t.check(attempt('victim@example.test', '10.0.0.2')))?.scope).toBe('account');
  });

  it('lets a known device through however hard others hammer the account, and counts its own failures', async () => {
    const c = clock();
    const t = newThrottle(c.now);
    for (let i = 0; i < 200; i++) await t.failed(attempt('victim@example.test', `10.0.${i % 50}.${i}`));
    const device = attempt('victim@example.test', '10.0.0.7', 'device-cookie');
    expect(await t.check(device)).toBeNull();
    for (let i = 0; i < 3; i++) await t.failed(device);
    expect((await t.check(device))?.scope).toBe('device');
  });

  it('slows an address that fails against many accounts by at most 30 seconds', async () => {
    const c = clock();
    const t = newThrottle(c.now);
    for (let i = 0; i < 60; i++) await t.failed(attempt(`user${i}@example.test`, '10.0.0.9'));
    const other = (await t.check(attempt('innocent@example.test', '10.0.0.9')))!;
    expect(other.scope).toBe('address');
    expect(other.waitMs).toBeLessThanOrEqual(30_000);
    c.advance(other.waitMs);
    expect(await t.check(attempt('innocent@example.test', '10.0.0.9'))).toBeNull();
    expect(await t.check(attempt('innocent@example.test', '10.0.0.9', 'device-cookie'))).toBeNull();
  });

  it('a success clears the guesser\'s own count but not the account\'s', async () => {
    const c = clock();
    const t = newThrottle(c.now);
    for (let i = 0; i < 12; i++) await t.failed(attempt('victim@example.test', `10.0.2.${i}`));
    const owner = attempt('victim@example.test', '10.0.2.0');
    await t.succeeded(owner);
    expect((await t.check(attempt('victim@example.test', '10.0.3.1')))?.scope).toBe('account');
  });
});
