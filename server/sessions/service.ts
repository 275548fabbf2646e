// Coding-session lifecycle. Every change is also an event on the session's stream.
import type { z } from 'zod';
import type { Db } from '../db/client.ts';
import type { Principal } from '../auth/roles.ts';
import { canAccessSession, SessionAccessError } from './access.ts';
import type { createSessionInput } from './schemas.ts';
import type { EventStream } from './stream.ts';

export type SessionSummary = Awaited<ReturnType<SessionService['list']>>[number];

export class SessionService {
  constructor(private readonly db: Db, private readonly events: EventStream) {}

  async list(principal: Principal) {
    return this.db.session.findMany({
      where: { teamId: principal.teamId, ownerId: principal.user.id },
      orderBy: { updatedAt: 'desc' },
      select: { id: true, title: true, status: true, createdAt: true, updatedAt: true, lastSeq: true },
    });
  }

  async create(principal: Principal, input: z.output<typeof createSessionInput>) {
    const session = await this.db.session.create({
      data: { title: input.title, teamId: principal.teamId, ownerId: principal.user.id },
    });
    await this.events.append(session.id, { type: 'session.created', payload: { title: input.title } }, { kind: 'user', id: principal.user.id });
    return session;
  }

  /** Throws SessionAccessError for sessions that don't exist or aren't the caller's: no existence oracle. */
  async get(principal: Principal, id: string) {
    const session = await this.db.session.findUnique({ where: { id }, include: { owner: { select: { id: true, name: true, email: true } } } });
    if (!session || !canAccessSession(principal, session)) throw new SessionAccessError();
    return session;
  }

  async stop(principal: Principal, id: string, reason = 'stopped by user') {
    const session = await this.get(principal, id);
    if (session.status === 'stopped') return session;
    const updated = await this.db.session.update({ where: { id }, data: { status: 'stopped' } });
    await this.events.append(id, { type: 'session.stopped', payload: { reason } }, { kind: 'user', id: principal.user.id });
    return updated;
  }
}
