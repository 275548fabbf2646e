import { describe, expect, it } from 'vitest';
import { isKnownDevice, mintDevice } from './device-cookie.ts';

const alice = { userId: 'alice', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g' };

describe('known-device cookies', () => {
  it('are recognised for the account they were minted for', () => {
    expect(isKnownDevice(alice, mintDevice(alice))).toBe(true);
  });

  it('mean nothing for another account, after a password change, when tampered with, or after a year', () => {
    const value = mintDevice(alice);
    expect(isKnownDevice({ ...alice, userId: 'bob' }, value)).toBe(false);
    expect(isKnownDevice({ ...alice, passwordHash: `${alice.passwordHash}x` }, value)).toBe(false);
    const [issued, mac] = value.split('.');
    expect(isKnownDevice(alice, `${Number(issued) + 1}.${mac}`)).toBe(false);
    expect(isKnownDevice(alice, `${issued}.${mac!.slice(0, -1)}${mac!.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(isKnownDevice(alice, undefined)).toBe(false);
    expect(isKnownDevice(alice, 'garbage')).toBe(false);
    const old = mintDevice(alice, Date.now() - 366 * 24 * 3600_000);
    expect(isKnownDevice(alice, old)).toBe(false);
  });
});
