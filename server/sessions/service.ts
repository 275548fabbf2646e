// Coding-session lifecycle. Every change is also an event on the session's stream.
import type { z } from 'zod';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Principal } from '../auth/roles.ts';
import { canAccessSession, SessionAccessError } from './access.ts';
import type { createSessionInput } from './schemas.ts';
import type { EventStream } from './stream.ts';
import type { WorkspaceManager } from './workspaces.ts';

export type SessionSummary = Awaited<ReturnType<SessionService['list']>>[number];

/** Called when a session stops, so other domains (terminals, the agent) release what they hold. */
export type StopHook = (sessionId: string) => Promise<void> | void;

export class SessionService {
  private readonly stopHooks: StopHook[] = [];

  constructor(private readonly db: Db, private readonly events: EventStream, private readonly workspaces: WorkspaceManager, private readonly log: Logger) {}

  onStop(hook: StopHook) { this.stopHooks.push(hook); }

  async list(principal: Principal) {
    return this.db.session.findMany({
      where: { teamId: principal.teamId, ownerId: principal.user.id },
      orderBy: { updatedAt: 'desc' },
      select: { id: true, title: true, status: true, createdAt: true, updatedAt: true, lastSeq: true, workspace: { select: { status: true, source: true } } },
    });
  }

  /** Returns at once; the workspace is provisioned in the background and reports through events. */
  async create(principal: Principal, input: z.output<typeof createSessionInput>) {
    const workspace = await this.workspaces.createRow(principal, input.source);
    const session = await this.db.session.create({
      data: { title: input.title, teamId: principal.teamId, ownerId: principal.user.id, workspaceId: workspace.id },
    });
    await this.events.append(session.id, { type: 'session.created', payload: { title: input.title } }, { kind: 'user', id: principal.user.id });
    void this.workspaces.provision(session.id, workspace).catch((err) => this.log.error({ err, sessionId: session.id }, 'provisioning crashed'));
    return session;
  }

  /** Throws SessionAccessError for sessions that don't exist or aren't the caller's: no existence oracle. */
  async get(principal: Principal, id: string) {
    const session = await this.db.session.findUnique({
      where: { id },
      include: { owner: { select: { id: true, name: true, email: true } }, workspace: true },
    });
    if (!session || !canAccessSession(principal, session)) throw new SessionAccessError();
    return session;
  }

  /** The live workspace of a session the caller may use. */
  async workspace(principal: Principal, id: string) {
    const session = await this.get(principal, id);
    if (!session.workspace) throw new SessionAccessError();
    return { session, workspace: await this.workspaces.get(session.workspace) };
  }

  async setNetwork(principal: Principal, id: string, allowed: boolean) {
    const session = await this.get(principal, id);
    if (!session.workspace) throw new SessionAccessError();
    await this.workspaces.setNetwork(session.workspace, allowed);
    await this.events.append(id, { type: 'workspace.network', payload: { allowed } }, { kind: 'user', id: principal.user.id });
  }

  async stop(principal: Principal, id: string, reason = 'stopped by user') {
    const session = await this.get(principal, id);
    if (session.status === 'stopped') return session;
    const updated = await this.db.session.update({ where: { id }, data: { status: 'stopped' } });
    for (const hook of this.stopHooks) await hook(id);
    if (session.workspace) await this.workspaces.stop(session.workspace);
    await this.events.append(id, { type: 'session.stopped', payload: { reason } }, { kind: 'user', id: principal.user.id });
    return updated;
  }
}
