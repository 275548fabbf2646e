// Which instance runs a workspace. A workspace's files, ptys and agent runs live on one instance
// at a time: the one recorded in Workspace.instanceId, alive while its ServerInstance heartbeat
// is fresh. Another instance asked for it refuses (the browser is sent to the owner), or, once
// the owner has missed three heartbeats, takes it over from the shared storage.
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { WorkspaceUnavailableError } from '../sessions/workspace-errors.ts';

export interface InstanceRef { id: string; url: string | null }

/** The workspace runs on another live instance: send the browser there. */
export class WorkspaceElsewhereError extends WorkspaceUnavailableError {
  constructor(readonly owner: InstanceRef) {
    super(`This session runs on another Tether server (${owner.id}); reload the page to reach it.`);
  }
}

export interface Claim {
  /** The dead instance it was taken over from, if it was. */
  tookOverFrom: string | null;
}

export interface Ownership {
  readonly instanceId: string;
  /** Makes this instance the workspace's owner, or throws WorkspaceElsewhereError. */
  claim(workspaceId: string): Promise<Claim>;
  /** The live instance other than this one that runs the workspace, or null (this one, nobody, or a dead one). */
  runsElsewhere(workspaceId: string): Promise<InstanceRef | null>;
  /** Registers the instance and renews its heartbeat until the returned function is called. */
  start(): Promise<() => Promise<void>>;
}

/** One instance: every workspace is its own (a restart with a new process id included). */
export function soleOwnership(db: Db, instanceId: string): Ownership {
  return {
    instanceId,
    async claim(workspaceId) {
      await db.workspace.updateMany({ where: { id: workspaceId, NOT: { instanceId } }, data: { instanceId } });
      return { tookOverFrom: null };
    },
    runsElsewhere: async () => null,
    start: async () => async () => {},
  };
}

/** heartbeatMs: how often an instance says it is alive (TETHER_INSTANCE_HEARTBEAT). */
export function sharedOwnership(o: { db: Db; instanceId: string; url: string | null; log: Logger; heartbeatMs: number; now?: () => number }): Ownership {
  const { db, instanceId, heartbeatMs } = o;
  const now = o.now ?? (() => Date.now());
  // Silent for three heartbeats, an instance is dead and its workspaces may move.
  const deadAfterMs = 3 * heartbeatMs;
  const live = async () => (await db.serverInstance.findMany({
    where: { heartbeatAt: { gte: new Date(now() - deadAfterMs) } }, select: { id: true, url: true },
  }));
  return {
    instanceId,
    async claim(workspaceId) {
      const before = await db.workspace.findUnique({ where: { id: workspaceId }, select: { instanceId: true } });
      if (!before) throw new Error(`no workspace ${workspaceId}`);
      if (before.instanceId === instanceId) return { tookOverFrom: null };
      const alive = await live();
      const aliveIds = alive.map((i) => i.id).filter((id) => id !== instanceId);
      // Conditional on the owner still being what was read: two instances racing for a dead
      // owner's workspace, one wins.
      const { count } = await db.workspace.updateMany({
        where: { id: workspaceId, instanceId: before.instanceId, ...(before.instanceId ? { NOT: { instanceId: { in: aliveIds } } } : {}) },
        data: { instanceId },
      });
      if (count) {
        if (before.instanceId) o.log.warn({ workspaceId, from: before.instanceId }, 'took over a workspace from an instance that stopped answering');
        return { tookOverFrom: before.instanceId };
      }
      const current = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { instanceId: true } });
      if (current.instanceId === instanceId) return { tookOverFrom: null };
      const owner = alive.find((i) => i.id === current.instanceId) ?? { id: current.instanceId ?? 'unknown', url: null };
      throw new WorkspaceElsewhereError(owner);
    },
    async runsElsewhere(workspaceId) {
      const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: { instanceId: true } });
      if (!row?.instanceId || row.instanceId === instanceId) return null;
      return (await live()).find((i) => i.id === row.instanceId) ?? null;
    },
    async start() {
      const beat = () => db.serverInstance.upsert({
        where: { id: instanceId },
        create: { id: instanceId, url: o.url, heartbeatAt: new Date(now()) },
        update: { url: o.url, heartbeatAt: new Date(now()) },
      });
      await beat();
      const timer = setInterval(() => {
        beat().catch((err: unknown) => o.log.error({ err }, 'could not renew this instance\'s heartbeat; others may take its workspaces over'));
      }, heartbeatMs);
      timer.unref();
      // A clean stop leaves the last heartbeat as it is: a restart within three heartbeats finds its
      // workspaces (and the ptys their hosts kept running) still its own.
      return async () => { clearInterval(timer); };
    },
  };
}
