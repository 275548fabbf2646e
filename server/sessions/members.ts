// The people added to a coding session and their roles. The owner and admins change them; each
// change is a session event (who did it is the event's actor) and a team audit entry, and is
// announced on AccessChanges so the person's open sockets are re-checked at once.
import { z } from 'zod';
import type { AccessChanges } from '../auth/access-changes.ts';
import { isUniqueViolation } from '../auth/accounts.ts';
import type { Principal } from '../auth/roles.ts';
import { recordAudit } from '../audit/team-audit.ts';
import type { Db } from '../db/client.ts';
import { memberRoleSchema, type MemberRole, type SessionRole } from './access.ts';
import { sessionIdSchema } from './schemas.ts';
import type { SessionService } from './service.ts';
import type { EventPayload, NewEvent } from './event-types.ts';
import type { EventStream } from './stream.ts';

const userIdSchema = z.string().min(1, 'Choose a person').max(100);
export const memberTargetInput = z.object({ sessionId: sessionIdSchema, userId: userIdSchema });
export const memberRoleInput = memberTargetInput.extend({ role: memberRoleSchema });

/** A change the session's members do not allow (the owner added as a member, someone added twice …). */
export class MemberError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST', message: string) { super(message); }
}

export interface Person { id: string; name: string; email: string }
export interface MembersView {
  owner: Person;
  members: (Person & { role: MemberRole; addedAt: string })[];
  /** The caller's own role, so the dialog offers changes only to those who may make them. */
  yourRole: SessionRole;
}

const person = { select: { id: true, name: true, email: true } } as const;

export class SessionMembers {
  constructor(private readonly o: { db: Db; sessions: SessionService; events: EventStream; accessChanges: AccessChanges }) {}

  async list(principal: Principal, sessionId: string): Promise<MembersView> {
    const session = await this.o.sessions.get(principal, sessionId, 'read');
    const rows = await this.o.db.sessionMember.findMany({ where: { sessionId }, include: { user: person }, orderBy: { createdAt: 'asc' } });
    return {
      owner: session.owner,
      members: rows.map((r) => ({ ...r.user, role: memberRoleSchema.parse(r.role), addedAt: r.createdAt.toISOString() })),
      yourRole: session.role,
    };
  }

  /** The team's people who could be added: enabled, not the owner, not already in. */
  async candidates(principal: Principal, sessionId: string): Promise<Person[]> {
    const session = await this.o.sessions.get(principal, sessionId, 'manage');
    return this.o.db.user.findMany({
      where: {
        disabled: false, id: { not: session.ownerId },
        memberships: { some: { teamId: session.teamId } },
        sessionMemberships: { none: { sessionId } },
      },
      ...person, orderBy: { name: 'asc' },
    });
  }

  async add(principal: Principal, input: z.output<typeof memberRoleInput>) {
    const session = await this.o.sessions.get(principal, input.sessionId, 'manage');
    if (input.userId === session.ownerId) throw new MemberError('BAD_REQUEST', `${session.owner.name} owns this session already.`);
    const user = await this.o.db.user.findFirst({ where: { id: input.userId, disabled: false, memberships: { some: { teamId: session.teamId } } }, ...person });
    if (!user) throw new MemberError('NOT_FOUND', 'No such person in this team.');
    const created = await this.o.db.sessionMember.createMany({ data: [{ sessionId: input.sessionId, userId: user.id, role: input.role, addedById: principal.user.id }] })
      .catch((err: unknown) => { if (isUniqueViolation(err)) return { count: 0 }; throw err; });
    if (created.count === 0) throw new MemberError('CONFLICT', `${user.name} is a member of this session already.`);
    await this.record(principal, session, 'session.member.added', { userId: user.id, name: user.name, role: input.role });
    return { ...user, role: input.role };
  }

  async setRole(principal: Principal, input: z.output<typeof memberRoleInput>) {
    const session = await this.o.sessions.get(principal, input.sessionId, 'manage');
    const row = await this.member(input.sessionId, input.userId);
    const from = memberRoleSchema.parse(row.role);
    if (from === input.role) return { ...row.user, role: from };
    // Conditional on the role read, so two changes at once each record what they replaced.
    const { count } = await this.o.db.sessionMember.updateMany({ where: { id: row.id, role: from }, data: { role: input.role } });
    if (count === 0) throw new MemberError('CONFLICT', `${row.user.name}'s role changed meanwhile; look again.`);
    await this.record(principal, session, 'session.member.changed', { userId: row.user.id, name: row.user.name, role: input.role, from });
    return { ...row.user, role: input.role };
  }

  async remove(principal: Principal, input: z.output<typeof memberTargetInput>) {
    const session = await this.o.sessions.get(principal, input.sessionId, 'manage');
    const row = await this.member(input.sessionId, input.userId);
    const { count } = await this.o.db.sessionMember.deleteMany({ where: { id: row.id } });
    if (count === 0) throw new MemberError('NOT_FOUND', `${row.user.name} is not a member of this session.`);
    await this.record(principal, session, 'session.member.removed', { userId: row.user.id, name: row.user.name });
    return { userId: row.user.id };
  }

  private async member(sessionId: string, userId: string) {
    const row = await this.o.db.sessionMember.findUnique({ where: { sessionId_userId: { sessionId, userId } }, include: { user: person } });
    if (!row) throw new MemberError('NOT_FOUND', 'That person is not a member of this session.');
    return row;
  }

  private async record<T extends 'session.member.added' | 'session.member.changed' | 'session.member.removed'>(
    principal: Principal, session: { id: string; teamId: string }, type: T, payload: EventPayload<T>,
  ) {
    await this.o.events.append(session.id, { type, payload } as NewEvent, { kind: 'user', id: principal.user.id });
    await recordAudit(this.o.db, { teamId: session.teamId, actorId: principal.user.id, action: type, sessionId: session.id, target: payload.name, detail: payload });
    // Their open sockets are re-checked now: a removed or demoted member loses what they may no longer do.
    this.o.accessChanges.changed(payload.userId);
  }
}
