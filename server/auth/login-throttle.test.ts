import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.ts';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

const attempt = (email: string, address: string, knownDevice: string | null = null) => ({ email, address, knownDevice });

describe('LoginThrottle', () => {
  it('gives one guesser a few tries, then doubling waits (never a lockout): a few dozen guesses an hour', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    const a = attempt('victim@example.test', '10.0.0.1');
    for (let i = 0; i < 3; i++) { expect(t.check(a)).toBeNull(); t.failed(a); }
    const waits: number[] = [];
    const start = c.now();
    let tries = 3;
    while (c.now() - start < 3600_000) {
      const w = t.check(a)!;
      waits.push(w.waitMs);
      c.advance(w.waitMs);
      expect(t.check(a)).toBeNull(); // after waiting, the next try is allowed
      t.failed(a);
      tries++;
    }
    expect(waits.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(Math.max(...waits)).toBeLessThanOrEqual(15 * 60_000);
    expect(tries).toBeLessThan(60);
  });

  it('does not slow the account from another address until many addresses have failed', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 5; i++) t.failed(attempt('victim@example.test', '10.0.0.1'));
    expect(t.check(attempt('victim@example.test', '10.0.0.2'))).toBeNull();
    for (let i = 0; i < 10; i++) t.failed(attempt('victim@example.test', `10.0.1.${i}`));
    expect(t.check(attempt('victim@example.test', '10.0.0.2'))?.scope).toBe('account');
  });

  it('lets a known device through however hard others hammer the account, and counts its own failures', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 200; i++) t.failed(attempt('victim@example.test', `10.0.${i % 50}.${i}`));
    const device = attempt('victim@example.test', '10.0.0.7', 'device-cookie');
    expect(t.check(device)).toBeNull();
    for (let i = 0; i < 3; i++) t.failed(device);
    expect(t.check(device)?.scope).toBe('device');
  });

  it('slows an address that fails against many accounts by at most 30 seconds', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 60; i++) t.failed(attempt(`user${i}@example.test`, '10.0.0.9'));
    const other = t.check(attempt('innocent@example.test', '10.0.0.9'))!;
    expect(other.scope).toBe('address');
    expect(other.waitMs).toBeLessThanOrEqual(30_000);
    c.advance(other.waitMs);
    expect(t.check(attempt('innocent@example.test', '10.0.0.9'))).toBeNull();
    expect(t.check(attempt('innocent@example.test', '10.0.0.9', 'device-cookie'))).toBeNull();
  });

  it('a success clears the guesser\'s own count but not the account\'s', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 12; i++) t.failed(attempt('victim@example.test', `10.0.2.${i}`));
    const owner = attempt('victim@example.test', '10.0.2.0');
    t.succeeded(owner);
    expect(t.check(attempt('victim@example.test', '10.0.3.1'))?.scope).toBe('account');
  });
});
