// Binds coding sessions to workspaces: allocates the sandbox uid, provisions through the
// WorkspaceProvider (reporting progress as events), and re-opens workspaces after a restart.
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Principal } from '../auth/roles.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { formatBytes } from '../workspace/disk-usage.ts';
import type { DiskStatus, Workspace, WorkspaceProvider, WorkspaceSource, WorkspaceSpec } from '../workspace/provider.ts';
import type { EventStream } from './stream.ts';
import { resolveCloneSource } from './clone-sources.ts';
import { systemActor } from './event-types.ts';
import { WorkspaceUnavailableError } from './workspace-errors.ts';
import { soleOwnership, type InstanceRef, type Ownership } from '../scale/ownership.ts';

/** Workspace uids start at or above this, far above any login account a host is likely to have. */
export const FIRST_WORKSPACE_UID = 200_000;
/** Each installation (data dir) picks one range of this many uids at random. */
const UID_RANGE = 100_000;
const UID_RANGES = 20_000;
const UID_ALLOCATION_ATTEMPTS = 5;

/**
 * This installation's first workspace uid, chosen once and kept in the data dir. Processes are
 * killed by uid, so two installations (or parallel test runs) on one host must not share uids;
 * a random range per data dir makes that vanishingly unlikely. A shared database still hands out
 * unique uids across instances (max + 1).
 */
export function installationUidBase(dataDir: string): number {
  const file = path.join(dataDir, 'workspace-uid-base');
  const saved = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  if (Number.isInteger(saved) && saved >= FIRST_WORKSPACE_UID) return saved;
  const base = FIRST_WORKSPACE_UID + randomInt(UID_RANGES) * UID_RANGE;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${base}\n`, { mode: 0o600 });
  return base;
}

export { WorkspaceUnavailableError } from './workspace-errors.ts';

type WorkspaceRow = NonNullable<Awaited<ReturnType<Db['workspace']['findUnique']>>>;

export function sourceOf(row: Pick<WorkspaceRow, 'source' | 'sourceRef'>): WorkspaceSource {
  if (row.source === 'git') return { kind: 'git', url: row.sourceRef ?? '' };
  if (row.source === 'template') return { kind: 'template', template: row.sourceRef ?? '' };
  return { kind: 'empty' };
}

/** What the session shows when a workspace's disk fills up or has room again. */
export function diskMessage(d: DiskStatus): string {
  const use = `${formatBytes(d.usedBytes)} of ${formatBytes(d.quotaBytes)}`;
  if (!d.full) return `The workspace has disk space again (${use} used).`;
  return d.enforcement === 'image'
    ? `The workspace's disk is full (${use}): writes fail with "No space left on device" until files are deleted.`
    : `The workspace went over its disk quota (${use}): its processes were stopped, and new ones are refused until files are deleted.`;
}

export class WorkspaceManager {
  private readonly open = new Map<string, Promise<Workspace>>();
  /** Provisioning under way here: shutdown waits for it rather than unmount a disk it is still filling. */
  private readonly provisioning = new Set<Promise<void>>();
  /** Workspaces whose disk was full at the last check, so each change is reported once. */
  private readonly diskFull = new Set<string>();

  constructor(
    private readonly db: Db, private readonly events: EventStream, private readonly provider: WorkspaceProvider,
    private readonly log: Logger, private readonly uidBase: number,
    /** TETHER_GIT_LOCAL_ROOTS: where members may clone server-local repositories from. */
    private readonly localGitRoots: string[] = [],
    /** Which instance runs each workspace; by default this one runs them all. */
    private readonly ownership: Ownership = soleOwnership(db, 'local'),
  ) {}

  get capabilities() { return this.provider.capabilities(); }

  /**
   * Creates the Workspace row with a fresh uid; unique(uid) makes racing instances retry.
   * A source the caller may not clone is refused first (CloneSourceError).
   */
  async createRow(principal: Principal, requested: WorkspaceSource) {
    const source = await resolveCloneSource(requested, { role: principal.role, localRoots: this.localGitRoots });
    const { teamId } = principal;
    for (let attempt = 0; ; attempt++) {
      const top = await this.db.workspace.aggregate({ _max: { uid: true } });
      const uid = Math.max(this.uidBase, (top._max.uid ?? 0) + 1);
      try {
        return await this.db.workspace.create({
          data: { teamId, uid, instanceId: this.ownership.instanceId, source: source.kind, sourceRef: source.kind === 'git' ? source.url : source.kind === 'template' ? source.template : null },
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'P2002' || attempt >= UID_ALLOCATION_ATTEMPTS) throw err;
      }
    }
  }

  /** Runs in the background after the session is created; the browser follows it through events. */
  async provision(sessionId: string, row: WorkspaceRow): Promise<void> {
    const run = this.provisionNow(sessionId, row);
    this.provisioning.add(run);
    try {
      await run;
    } finally {
      this.provisioning.delete(run);
    }
  }

  /** Resolves once every provisioning this instance started has ended (shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.provisioning]);
  }

  private async provisionNow(sessionId: string, row: WorkspaceRow): Promise<void> {
    const spec = this.specOf(row);
    const detail = spec.source.kind === 'git' ? spec.source.url : spec.source.kind === 'template' ? spec.source.template : undefined;
    await this.events.append(sessionId, { type: 'workspace.provisioning', payload: { source: spec.source.kind, ...(detail ? { detail } : {}) } }, systemActor);
    let lastProgress = 0;
    const promise = this.provider.create(spec, (message) => {
      // Clone progress can be chatty: one event per 250 ms is plenty for a progress line.
      if (Date.now() - lastProgress < 250) return;
      lastProgress = Date.now();
      void this.events.append(sessionId, { type: 'workspace.progress', payload: { message: message.slice(0, 500) } }, systemActor).catch(() => {});
    });
    this.open.set(row.id, promise);
    try {
      await promise;
      await this.db.workspace.update({ where: { id: row.id }, data: { status: 'ready' } });
      await this.events.append(sessionId, { type: 'workspace.ready', payload: { source: spec.source.kind } }, systemActor);
    } catch (err) {
      this.open.delete(row.id);
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ err, sessionId, workspaceId: row.id }, 'workspace provisioning failed');
      await this.db.workspace.update({ where: { id: row.id }, data: { status: 'failed', error: message.slice(0, 2000) } });
      await this.events.append(sessionId, { type: 'workspace.failed', payload: { error: message.slice(0, 2000) } }, systemActor);
    }
  }

  /** The live workspace of a ready row (re-attached after a restart). */
  async get(row: WorkspaceRow): Promise<Workspace> {
    if (row.status !== 'ready') throw new WorkspaceUnavailableError(row.status === 'failed' ? `The workspace could not be created: ${row.error ?? 'unknown error'}` : 'The workspace is not ready yet.');
    let ws = this.open.get(row.id);
    if (!ws) {
      ws = this.claimAndOpen(row);
      this.open.set(row.id, ws);
      ws.catch(() => this.open.delete(row.id));
    }
    return ws;
  }

  /** The live instance that runs this session's workspace when it is not this one (the page sends the browser there). */
  async runsElsewhere(sessionId: string): Promise<InstanceRef | null> {
    const s = await this.db.session.findUnique({ where: { id: sessionId }, select: { workspaceId: true } });
    return s?.workspaceId ? this.ownership.runsElsewhere(s.workspaceId) : null;
  }

  /** Opens a workspace this instance owns, or takes over one whose instance died (WorkspaceElsewhereError otherwise). */
  private async claimAndOpen(row: WorkspaceRow): Promise<Workspace> {
    const { tookOverFrom } = await this.ownership.claim(row.id);
    const ws = await this.provider.open(this.specOf(row));
    if (tookOverFrom) {
      for (const s of await this.db.session.findMany({ where: { workspaceId: row.id }, select: { id: true } })) {
        await this.events.append(s.id, { type: 'workspace.moved', payload: { from: tookOverFrom, to: this.ownership.instanceId } }, systemActor);
      }
    }
    return ws;
  }

  /**
   * Network access is per workspace and off by default; only admins change it (the API checks).
   * It applies to processes started afterwards: the workspace is re-opened with the new setting.
   */
  async setNetwork(row: WorkspaceRow, allowed: boolean): Promise<WorkspaceRow> {
    const updated = await this.db.workspace.update({ where: { id: row.id }, data: { networkAllowed: allowed } });
    this.open.delete(row.id);
    return updated;
  }

  /**
   * Checks the disk of every open workspace and tells its session when one fills up or has room
   * again. Where no disk image enforces the quota, the check itself stops a full workspace.
   */
  async checkDisks(): Promise<void> {
    for (const [workspaceId, pending] of [...this.open]) {
      try {
        const status = await (await pending).checkDisk();
        if (!status || status.full === this.diskFull.has(workspaceId)) continue;
        if (status.full) this.diskFull.add(workspaceId);
        else this.diskFull.delete(workspaceId);
        const message = diskMessage(status);
        this.log.warn({ workspaceId, ...status }, 'workspace disk quota');
        const session = await this.db.session.findFirst({ where: { workspaceId }, select: { id: true } });
        if (session) await this.events.append(session.id, { type: 'workspace.disk', payload: { ...status, message } }, systemActor);
      } catch (err) {
        this.log.warn({ err, workspaceId }, 'workspace disk check failed');
      }
    }
  }

  /** Runs checkDisks every intervalMs until the returned function is called. */
  startDiskChecks(intervalMs: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void this.checkDisks().finally(() => { running = false; });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Kills every process of the workspace and releases its cgroups; files stay for review. */
  async stop(row: WorkspaceRow): Promise<void> {
    const ws = this.open.get(row.id);
    this.open.delete(row.id);
    if (ws) await (await ws).close();
  }

  async destroy(row: WorkspaceRow): Promise<void> {
    this.open.delete(row.id);
    await this.provider.destroy(row.id);
    await this.db.workspace.update({ where: { id: row.id }, data: { status: 'destroyed' } });
  }

  private specOf(row: WorkspaceRow): WorkspaceSpec {
    if (row.uid === null) throw new Error(`workspace ${row.id} has no uid`);
    return { id: row.id, uid: row.uid, networkAllowed: row.networkAllowed, source: sourceOf(row) };
  }
}
