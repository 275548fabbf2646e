// Users, teams and memberships. The first account created becomes the admin of the default team.
import type { z } from 'zod';
import type { Db } from '../db/client.ts';
import { recordAudit } from '../audit/team-audit.ts';
import { hashPassword } from './password.ts';
import type { Role } from './roles.ts';
import type { createUserInput, setupInput } from './schemas.ts';

/** Fixed id: creating it twice violates the primary key, so two racing setups cannot both win. */
export const DEFAULT_TEAM_ID = 'default-team';

export class AccountError extends Error {
  constructor(
    readonly code: 'SETUP_CLOSED' | 'EMAIL_TAKEN' | 'NOT_FOUND' | 'LAST_ADMIN' | 'SELF' | 'DISABLED' | 'WRONG_PASSWORD' | 'SAME_PASSWORD' | 'RESET_INVALID',
    message: string,
  ) { super(message); }
}

/** Both databases report a unique-constraint violation as Prisma's P2002. */
export const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === 'P2002';

export async function needsSetup(db: Db): Promise<boolean> {
  return (await db.membership.count({ where: { role: 'admin' } })) === 0;
}

export async function setupAdmin(db: Db, input: z.output<typeof setupInput>) {
  if (!(await needsSetup(db))) throw new AccountError('SETUP_CLOSED', 'Tether is already set up; sign in instead.');
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      await tx.team.create({ data: { id: DEFAULT_TEAM_ID, name: 'Default team' } });
      const user = await tx.user.create({ data: { email: input.email, name: input.name, account: { create: { passwordHash } } } });
      await tx.membership.create({ data: { userId: user.id, teamId: DEFAULT_TEAM_ID, role: 'admin' } });
      await recordAudit(tx, { teamId: DEFAULT_TEAM_ID, actorId: user.id, action: 'setup.admin_created', target: user.email });
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AccountError('SETUP_CLOSED', 'Tether is already set up; sign in instead.');
    throw err;
  }
}

export async function createUser(db: Db, teamId: string, actorId: string, input: z.output<typeof createUserInput>) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: input.email, name: input.name, account: { create: { passwordHash } } } });
      await tx.membership.create({ data: { userId: user.id, teamId, role: input.role } });
      await recordAudit(tx, { teamId, actorId, action: 'user.created', target: user.email, detail: { role: input.role } });
      return { id: user.id, email: user.email, name: user.name, role: input.role };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AccountError('EMAIL_TAKEN', `An account for ${input.email} already exists.`);
    throw err;
  }
}

export async function listTeamUsers(db: Db, teamId: string) {
  const rows = await db.membership.findMany({ where: { teamId }, include: { user: true }, orderBy: { createdAt: 'asc' } });
  return rows.map((m) => ({
    id: m.user.id, email: m.user.email, name: m.user.name, role: m.role as Role, disabled: m.user.disabled, createdAt: m.user.createdAt, lastSeenAt: m.user.lastSeenAt,
  }));
}

async function otherActiveAdmins(db: Db, teamId: string, userId: string) {
  return db.membership.count({ where: { teamId, role: 'admin', userId: { not: userId }, user: { disabled: false } } });
}

export async function setRole(db: Db, teamId: string, actorId: string, userId: string, role: Role) {
  if (role !== 'admin' && (await otherActiveAdmins(db, teamId, userId)) === 0) {
    throw new AccountError('LAST_ADMIN', 'The team needs at least one admin.');
  }
  const { count } = await db.membership.updateMany({ where: { teamId, userId }, data: { role } });
  if (count === 0) throw new AccountError('NOT_FOUND', 'No such user in this team.');
  await recordAudit(db, { teamId, actorId, action: 'user.role_changed', target: userId, detail: { role } });
}

export async function setDisabled(db: Db, teamId: string, actorId: string, userId: string, disabled: boolean) {
  if (userId === actorId) throw new AccountError('SELF', 'You cannot disable your own account.');
  const membership = await db.membership.findUnique({ where: { userId_teamId: { userId, teamId } } });
  if (!membership) throw new AccountError('NOT_FOUND', 'No such user in this team.');
  if (disabled && membership.role === 'admin' && (await otherActiveAdmins(db, teamId, userId)) === 0) {
    throw new AccountError('LAST_ADMIN', 'The team needs at least one admin.');
  }
  await db.$transaction([
    db.user.update({ where: { id: userId }, data: { disabled } }),
    // Disabling ends every open login at once rather than at cookie expiry.
    ...(disabled ? [db.authSession.deleteMany({ where: { userId } })] : []),
  ]);
  await recordAudit(db, { teamId, actorId, action: disabled ? 'user.disabled' : 'user.enabled', target: userId });
}
