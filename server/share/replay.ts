// The files of a session as of any point of its timeline, for a reviewer's scrubber. The agent
// checkpoints the workspace before every call that can change files (agent.checkpoint events,
// appended once the snapshot is taken, before the call runs), so the state after event N is
// what the first checkpoint at or after N recorded; after the last
// checkpoint it is the workspace as it is now. Changes a person made in a terminal between two
// checkpoints therefore appear at the next one. Checkpoints never change, so what was read from
// one is cached; and a miss reads the checkpoints around the one asked for too, in the same
// sandboxed call (starting it costs more than git's work): scrubbing then finds them read.
import type { Db } from '../db/client.ts';
import type { WorkspaceManager } from '../sessions/workspaces.ts';
import { FileError } from '../workspace/file-errors.ts';
import { checkRelative } from '../workspace/paths.ts';

/** Directories a reviewer's tree leaves out of the live listing, as the checkpoints do (.gitignore'd or the workspace's own repository). */
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
/** A tree bigger than this is cut short (and says so): the viewer is for reviewing changes, not browsing a monorepo. */
export const MAX_TREE_ENTRIES = 5_000;
const CACHE_ENTRIES = 500;
/** Checkpoints read together on a miss: those nearest the one asked for, where a reviewer scrubs next. */
const READ_AROUND = 50;
/** Another checkpoint's version of a file is read along only up to this size (the cache stays small). */
const READ_AROUND_FILE_BYTES = 64 * 1024;

export interface ReplayPoint {
  /** checkpoint: as the first checkpoint after the position recorded it; live: the workspace now. */
  source: 'checkpoint' | 'live';
  /** The seq of the checkpoint event it comes from (null for live). */
  checkpointSeq: number | null;
}

export class ReplayUnavailableError extends Error {
  override name = 'ReplayUnavailableError';
}

/** A small least-recently-used cache: Map keeps insertion order. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  has(key: string): boolean { return this.map.has(key); }
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) { this.map.delete(key); this.map.set(key, v); }
    return v;
  }
  set(key: string, v: V) {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

export class SessionReplay {
  private readonly trees = new Lru<string[]>(CACHE_ENTRIES);
  private readonly files = new Lru<{ content: string | null }>(CACHE_ENTRIES);

  constructor(private readonly o: { db: Db; workspaces: WorkspaceManager }) {}

  async treeAt(sessionId: string, seq: number): Promise<ReplayPoint & { paths: string[]; truncated: boolean }> {
    const { point, checkpointId, workspace, workspaceId: row } = await this.locate(sessionId, seq);
    if (checkpointId) {
      const key = (id: string) => `${row}:${id}`;
      let paths = this.trees.get(key(checkpointId));
      if (!paths) {
        const ws = await workspace();
        const read = await ws.snapshotFiles(await this.around(sessionId, checkpointId, (id) => !this.trees.has(key(id))));
        for (const [id, listing] of read) this.trees.set(key(id), listing);
        // Left out only when the batch's output was cut short: alone, it fits.
        paths = read.get(checkpointId) ?? (await ws.snapshotFiles([checkpointId])).get(checkpointId);
        if (!paths) throw new ReplayUnavailableError('This checkpoint holds too many files to list.');
        this.trees.set(key(checkpointId), paths);
      }
      return { ...point, paths: paths.slice(0, MAX_TREE_ENTRIES), truncated: paths.length > MAX_TREE_ENTRIES };
    }
    return { ...point, ...(await liveTree(await workspace())) };
  }

  async fileAt(sessionId: string, seq: number, rawPath: string): Promise<ReplayPoint & { path: string; content: string | null; note: string | null }> {
    const path = checkRelative(rawPath);
    const { point, checkpointId, workspace, workspaceId: row } = await this.locate(sessionId, seq);
    if (checkpointId) {
      const key = (id: string) => `${row}:${id}:${path}`;
      let hit = this.files.get(key(checkpointId));
      if (!hit) {
        const ids = await this.around(sessionId, checkpointId, (id) => !this.files.has(key(id)));
        const read = await (await workspace()).snapshotFile(ids, path, READ_AROUND_FILE_BYTES);
        for (const [id, content] of read) this.files.set(key(id), { content });
        hit = { content: read.get(checkpointId) ?? null };
        this.files.set(key(checkpointId), hit);
      }
      return { ...point, path, content: hit.content, note: hit.content === null ? 'This file did not exist at this point.' : null };
    }
    const files = (await workspace()).files;
    const read = await files.read(path).catch((err: unknown) => {
      if (err instanceof FileError && err.code === 'NOT_FOUND') return null;
      throw err;
    });
    if (!read) return { ...point, path, content: null, note: 'This file does not exist now.' };
    if (read.kind !== 'text') return { ...point, path, content: null, note: read.kind === 'binary' ? 'A binary file: not shown.' : 'Too large to show.' };
    return { ...point, path, content: read.content, note: null };
  }

  /** The checkpoint asked for first, then up to READ_AROUND of the session's others still `wanted`, nearest first. */
  private async around(sessionId: string, checkpointId: string, wanted: (id: string) => boolean): Promise<string[]> {
    const all = (await this.o.db.event.findMany({ where: { sessionId, type: 'agent.checkpoint' }, orderBy: { seq: 'asc' }, select: { payload: true } }))
      .map((e) => (e.payload as { checkpointId?: string }).checkpointId)
      .filter((id): id is string => !!id);
    const at = all.indexOf(checkpointId);
    const others = all.map((id, i) => ({ id, d: Math.abs(i - at) })).filter((c) => c.id !== checkpointId && wanted(c.id));
    others.sort((a, b) => a.d - b.d);
    return [checkpointId, ...new Set(others.slice(0, READ_AROUND).map((c) => c.id))];
  }

  /** Which checkpoint holds the state at seq, and a way to reach the session's workspace. */
  private async locate(sessionId: string, seq: number) {
    const session = await this.o.db.session.findUnique({ where: { id: sessionId }, include: { workspace: true } });
    if (!session?.workspace) throw new ReplayUnavailableError('This session has no workspace to show files from.');
    const row = session.workspace;
    const workspace = () => this.o.workspaces.get(row);
    const next = await this.o.db.event.findFirst({ where: { sessionId, type: 'agent.checkpoint', seq: { gte: seq } }, orderBy: { seq: 'asc' }, select: { seq: true, payload: true } });
    const checkpointId = next ? (next.payload as { checkpointId?: string }).checkpointId ?? null : null;
    const point: ReplayPoint = checkpointId ? { source: 'checkpoint', checkpointSeq: next!.seq } : { source: 'live', checkpointSeq: null };
    return { point, checkpointId, workspace, workspaceId: row.id };
  }
}

async function liveTree(workspace: Awaited<ReturnType<WorkspaceManager['get']>>): Promise<{ paths: string[]; truncated: boolean }> {
  const paths: string[] = [];
  const queue = [''];
  while (queue.length && paths.length <= MAX_TREE_ENTRIES) {
    const dir = queue.shift()!;
    for (const e of await workspace.files.list(dir)) {
      if (e.type === 'directory') { if (!SKIPPED_DIRS.has(e.name)) queue.push(e.path); } else if (e.type === 'file') paths.push(e.path);
    }
  }
  paths.sort();
  return { paths: paths.slice(0, MAX_TREE_ENTRIES), truncated: paths.length > MAX_TREE_ENTRIES };
}
