// Changing a password: by its owner (who proves the current one) or through a one-time reset
// link an admin made. Either way every other sign-in of the account ends, so a stolen session
// does not outlive the password it came with.
import type { Db } from '../db/client.ts';
import { recordAudit } from '../audit/team-audit.ts';
import { AccountError } from './accounts.ts';
import { mintDevice } from './device-cookie.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { newToken, tokenDigest } from './tokens.ts';

/** Long enough to pass the link on the same day, short enough that a forgotten link soon dies. */
export const RESET_LINK_TTL_MS = 24 * 3600_000;
/** Where the link leads; the token is in the fragment, so it never reaches a server log or a Referer. */
export const RESET_PAGE = '/reset-password';

const INVALID_LINK = 'This reset link does not work: it has expired or was used already. Ask an admin for a new one.';

/** Sets the hash and ends every sign-in but `keep` in one transaction. */
async function replacePassword(db: Db, userId: string, password: string, keep?: string) {
  const passwordHash = await hashPassword(password);
  await db.$transaction([
    db.account.update({ where: { userId }, data: { passwordHash } }),
    db.authSession.deleteMany({ where: { userId, ...(keep ? { id: { not: keep } } : {}) } }),
  ]);
  return { userId, passwordHash };
}

/**
 * The signed-in user's own change. Returns a fresh device cookie value: the old one was keyed
 * with the old password's hash (device-cookie.ts) and no longer counts.
 */
export async function changeOwnPassword(db: Db, who: { userId: string; teamId: string; authSessionId: string }, current: string, next: string) {
  const account = await db.account.findUnique({ where: { userId: who.userId } });
  if (!account || !(await verifyPassword(account.passwordHash, current))) throw new AccountError('WRONG_PASSWORD', 'Your current password is not right.');
  if (current === next) throw new AccountError('SAME_PASSWORD', 'Choose a password different from the current one.');
  const updated = await replacePassword(db, who.userId, next, who.authSessionId);
  await recordAudit(db, { teamId: who.teamId, actorId: who.userId, action: 'user.password_changed', target: who.userId });
  return { device: mintDevice(updated) };
}

/** An admin's one-time link for a user of their team; earlier unused links of that user stop working. */
export async function createResetLink(db: Db, teamId: string, actorId: string, userId: string, now = Date.now()) {
  const membership = await db.membership.findUnique({ where: { userId_teamId: { userId, teamId } }, include: { user: true } });
  if (!membership) throw new AccountError('NOT_FOUND', 'No such user in this team.');
  if (membership.user.disabled) throw new AccountError('DISABLED', `${membership.user.email} is disabled; enable the account first.`);
  const token = newToken();
  const expiresAt = new Date(now + RESET_LINK_TTL_MS);
  await db.$transaction([
    db.passwordReset.deleteMany({ where: { userId, usedAt: null } }),
    db.passwordReset.create({ data: { tokenHash: tokenDigest(token), userId, createdById: actorId, expiresAt } }),
  ]);
  await recordAudit(db, { teamId, actorId, action: 'user.reset_link_created', target: userId, detail: { expiresAt: expiresAt.toISOString() } });
  return { path: `${RESET_PAGE}#${token}`, expiresAt, email: membership.user.email };
}

/** Redeems a link once: the conditional update lets only one of two racing redemptions through. */
export async function resetPassword(db: Db, token: string, password: string, now = new Date()) {
  const link = await db.passwordReset.findUnique({
    where: { tokenHash: tokenDigest(token) },
    include: { user: { include: { memberships: { orderBy: { createdAt: 'asc' }, take: 1 } } } },
  });
  const teamId = link?.user.memberships[0]?.teamId;
  if (!link || !teamId || link.usedAt || link.expiresAt <= now || link.user.disabled) throw new AccountError('RESET_INVALID', INVALID_LINK);
  const { count } = await db.passwordReset.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: now } });
  if (count === 0) throw new AccountError('RESET_INVALID', INVALID_LINK);
  await replacePassword(db, link.userId, password);
  await recordAudit(db, { teamId, actorId: link.userId, action: 'user.password_reset', target: link.userId, detail: { linkBy: link.createdById } });
  return { userId: link.userId, email: link.user.email };
}
