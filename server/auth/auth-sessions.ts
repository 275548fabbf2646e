// Browser logins: an opaque cookie token whose SHA-256 is the AuthSession row's key.
import type { Db } from '../db/client.ts';
import { isKnownDevice, mintDevice } from './device-cookie.ts';
import { decoyHash, verifyPassword } from './password.ts';
import { roleSchema, type Principal } from './roles.ts';
import { newToken, tokenDigest } from './tokens.ts';

export const SESSION_COOKIE = 'tether_session';
/** lastSeenAt is refreshed at most this often, so reads don't each cost a write. */
const TOUCH_INTERVAL_MS = 5 * 60_000;

/** A session and a fresh device cookie value (server/auth/device-cookie.ts), or null for wrong credentials. */
export async function login(db: Db, email: string, password: string, ttlSeconds: number, userAgent?: string) {
  const user = await db.user.findUnique({ where: { email }, include: { account: true, memberships: true } });
  const ok = await verifyPassword(user?.account?.passwordHash ?? (await decoyHash()), password);
  if (!user?.account || !ok || user.disabled || user.memberships.length === 0) return null;
  return { ...(await startAuthSession(db, user.id, ttlSeconds, userAgent)), device: mintDevice(user.account) };
}

/** The device cookie's value when it was minted for this email's account, else null. */
export async function knownDevice(db: Db, email: string, cookieValue: string | undefined): Promise<string | null> {
  if (!cookieValue) return null;
  const account = await db.account.findFirst({ where: { user: { email } } });
  return account && isKnownDevice(account, cookieValue) ? cookieValue : null;
}

export async function startAuthSession(db: Db, userId: string, ttlSeconds: number, userAgent?: string) {
  const token = newToken();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await db.$transaction([
    db.authSession.create({ data: { tokenHash: tokenDigest(token), userId, expiresAt, userAgent: userAgent?.slice(0, 300) ?? null } }),
    db.user.update({ where: { id: userId }, data: { lastSeenAt: new Date() } }),
  ]);
  return { token, expiresAt };
}

export async function resolvePrincipal(db: Db, token: string | undefined): Promise<Principal | null> {
  if (!token) return null;
  const row = await db.authSession.findUnique({
    where: { tokenHash: tokenDigest(token) },
    include: { user: { include: { memberships: { orderBy: { createdAt: 'asc' }, take: 1 } } } },
  });
  if (!row) return null;
  const membership = row.user.memberships[0];
  if (row.expiresAt.getTime() <= Date.now() || row.user.disabled || !membership) {
    if (row.expiresAt.getTime() <= Date.now()) await db.authSession.delete({ where: { id: row.id } }).catch(() => {});
    return null;
  }
  if (Date.now() - row.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    const now = new Date();
    // The user's copy outlives the sign-in, for the admin page's "last seen".
    await db.$transaction([
      db.authSession.update({ where: { id: row.id }, data: { lastSeenAt: now } }),
      db.user.update({ where: { id: row.userId }, data: { lastSeenAt: now } }),
    ]).catch(() => {});
  }
  return {
    user: { id: row.user.id, email: row.user.email, name: row.user.name },
    teamId: membership.teamId,
    role: roleSchema.parse(membership.role),
    authSessionId: row.id,
  };
}

export async function logout(db: Db, token: string | undefined): Promise<void> {
  if (token) await db.authSession.deleteMany({ where: { tokenHash: tokenDigest(token) } });
}

/** Parses one cookie out of a Cookie header; a value that does not decode counts as absent (signed out). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}
