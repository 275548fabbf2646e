// Coding-session lifecycle. Every change is also an event on the session's stream.
import type { z } from 'zod';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Principal } from '../auth/roles.ts';
import { recordAudit } from '../audit/team-audit.ts';
import { requireRole, SessionAccessError, sessionRoleOf, type SessionNeed } from './access.ts';
import { listSessions, type listSessionsInput } from './listing.ts';
import type { createSessionInput } from './schemas.ts';
import type { EventStream } from './stream.ts';
import type { WorkspaceManager } from './workspaces.ts';

export type SessionSummary = Awaited<ReturnType<SessionService['list']>>[number];

/** A lifecycle change the session's current state does not allow (restart a running one, …). */
export class SessionStateError extends Error {}

/** Called when a session stops, so other domains (terminals, the agent) release what they hold. */
export type StopHook = (sessionId: string) => Promise<void> | void;

export class SessionService {
  private readonly stopHooks: StopHook[] = [];

  constructor(private readonly db: Db, private readonly events: EventStream, private readonly workspaces: WorkspaceManager, private readonly log: Logger) {}

  onStop(hook: StopHook) { this.stopHooks.push(hook); }

  list(principal: Principal, input: z.output<typeof listSessionsInput>) {
    return listSessions(this.db, principal, input);
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

  /**
   * The session, with the caller's role in it, when that role covers `need`. Throws
   * SessionAccessError for sessions that don't exist or the caller may not see (no existence
   * oracle), SessionRoleError when they may see it but not do this. `need` defaults to working in
   * the workspace, so a call that forgets to say it only reads is refused to viewers, not opened.
   */
  async get(principal: Principal, id: string, need: SessionNeed = 'write') {
    const found = await this.db.session.findUnique({
      where: { id },
      include: {
        owner: { select: { id: true, name: true, email: true } }, workspace: true,
        members: { where: { userId: principal.user.id }, select: { role: true } },
      },
    });
    if (!found || found.deletedAt) throw new SessionAccessError();
    const { members, ...session } = found;
    const role = requireRole(sessionRoleOf(principal, session, members[0]?.role ?? null), need);
    return { ...session, role };
  }

  /** The live workspace of a session the caller may use as `need` says. */
  async workspace(principal: Principal, id: string, need: SessionNeed = 'write') {
    const session = await this.get(principal, id, need);
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

  async rename(principal: Principal, id: string, title: string) {
    await this.get(principal, id, 'manage');
    const updated = await this.db.session.update({ where: { id }, data: { title } });
    await this.events.append(id, { type: 'session.renamed', payload: { title } }, { kind: 'user', id: principal.user.id });
    return updated;
  }

  /** A stopped session runs again on the files it kept; its processes start afresh. */
  async restart(principal: Principal, id: string) {
    const session = await this.get(principal, id);
    if (session.status !== 'stopped') throw new SessionStateError('The session is already running.');
    if (session.workspace?.status !== 'ready') throw new SessionStateError('Only a session whose workspace was created can be restarted.');
    const { count } = await this.db.session.updateMany({ where: { id, status: 'stopped' }, data: { status: 'active' } });
    if (count === 0) throw new SessionStateError('The session is already running.');
    await this.events.append(id, { type: 'session.restarted', payload: {} }, { kind: 'user', id: principal.user.id });
    return { id, status: 'active' };
  }

  /** Provisions a workspace whose creation failed (a clone that could not reach its remote …) again. */
  async retry(principal: Principal, id: string) {
    const session = await this.get(principal, id);
    if (session.status === 'stopped') throw new SessionStateError('The session is stopped; restart it first.');
    if (!session.workspace || session.workspace.status !== 'failed') throw new SessionStateError('Only a workspace whose creation failed can be retried.');
    // Conditional, so two retries at once provision once.
    const { count } = await this.db.workspace.updateMany({ where: { id: session.workspace.id, status: 'failed' }, data: { status: 'provisioning', error: null } });
    if (count === 0) throw new SessionStateError('The workspace is already being created again.');
    const row = await this.db.workspace.findUniqueOrThrow({ where: { id: session.workspace.id } });
    void this.workspaces.provision(id, row).catch((err) => this.log.error({ err, sessionId: id }, 'provisioning crashed'));
    return { id };
  }

  /**
   * Stops the session, removes its workspace's files and hides it everywhere. The row and its
   * events stay (Event → Session is onDelete: Restrict): they are the session's audit chain, and
   * the team chain records who deleted it.
   */
  async remove(principal: Principal, id: string) {
    const session = await this.get(principal, id, 'manage');
    if (session.workspace?.status === 'provisioning') throw new SessionStateError('The workspace is still being created; delete the session once it is ready or has failed.');
    await this.stop(principal, id, 'deleted');
    const { count } = await this.db.session.updateMany({ where: { id, deletedAt: null }, data: { deletedAt: new Date() } });
    if (count === 0) throw new SessionAccessError();
    await this.events.append(id, { type: 'session.deleted', payload: {} }, { kind: 'user', id: principal.user.id });
    await recordAudit(this.db, {
      teamId: session.teamId, actorId: principal.user.id, action: 'session.deleted', sessionId: id, target: session.title,
      detail: { owner: session.owner.email },
    });
    if (session.workspace && session.workspace.status !== 'destroyed') {
      // The files go last: once the session is hidden nobody can reach them, and a failure here
      // leaves an orphan volume to log, not a half-deleted session.
      await this.workspaces.destroy(session.workspace).catch((err) => this.log.error({ err, sessionId: id, workspaceId: session.workspace!.id }, 'could not remove a deleted session\'s workspace'));
    }
    return { id };
  }
}
