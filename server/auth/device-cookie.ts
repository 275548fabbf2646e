// "Known device" cookies: set at a successful sign-in, they let that browser sign in again while
// someone else is hammering the same account (the throttle then counts only that device's failures).
// The MAC is keyed with the account's password hash: only the server can mint one, and changing
// the password forgets every device without any stored state.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'tether_device';
const DEVICE_TTL_MS = 365 * 24 * 3600_000;

const mac = (passwordHash: string, userId: string, issuedAt: number) =>
  createHmac('sha256', passwordHash).update(`tether-device:${userId}:${issuedAt}`).digest('base64url');

export function mintDevice(account: { userId: string; passwordHash: string }, now = Date.now()): string {
  return `${now}.${mac(account.passwordHash, account.userId, now)}`;
}

/** True when `value` was minted for this account (and its current password) within the last year. */
export function isKnownDevice(account: { userId: string; passwordHash: string }, value: string | undefined, now = Date.now()): boolean {
  const [issued, given] = value?.split('.') ?? [];
  const issuedAt = Number(issued);
  if (!given || !Number.isSafeInteger(issuedAt) || now - issuedAt > DEVICE_TTL_MS || issuedAt > now) return false;
  const expected = Buffer.from(mac(account.passwordHash, account.userId, issuedAt));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function deviceCookie(value: string, secure: boolean): string {
  return `${DEVICE_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${DEVICE_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}
