// Stage 3: structured memory with provenance. MemoryItem rows per session, plus items promoted
// to the session's workspace (they follow every later session there). Every change appends a
// memory.* event to the session, so memory is audited and can be replayed; nothing is deleted —
// an item a later statement replaced is closed with a link to its successor.
import type { Db } from '../../db/client.ts';
import type { Actor } from '../../sessions/event-types.ts';
import type { EventStream } from '../../sessions/stream.ts';
import { memoryTextSchema, newMemoryItemSchema, type Candidate, type MemoryItemView, type MemoryKind, type MemoryOrigin, type MemoryScope, type MemoryStatus, type NewMemoryItem } from './types.ts';

type Row = Awaited<ReturnType<Db['memoryItem']['findFirstOrThrow']>>;

export class MemoryItemNotFoundError extends Error {
  constructor(itemId: string) { super(`memory item ${itemId} does not exist in this session or its workspace`); }
}

export class MemoryNotInWorkspaceError extends Error {
  constructor() { super('this session has no workspace to promote the item to'); }
}

const systemActor: Actor = { kind: 'system', id: null };

export function toMemoryItemView(row: Row): MemoryItemView {
  return {
    id: row.id,
    kind: row.kind as MemoryKind,
    text: row.content,
    status: row.status as MemoryStatus,
    pinned: row.pinned,
    scope: row.scope as MemoryScope,
    origin: row.origin as MemoryOrigin,
    confidence: row.confidence,
    version: row.version,
    sourceSeqs: Array.isArray(row.sourceSeqs) ? (row.sourceSeqs as number[]) : [],
    supersededBy: row.supersededById,
    closedReason: row.closedReason,
  };
}

/**
 * Applies candidates to a list held in memory (the CLI and the benchmark have no database):
 * the same supersession rules as MemoryStore.applyCandidates.
 */
export function applyCandidatesInMemory(items: MemoryItemView[], candidates: readonly Candidate[], newId: () => string): MemoryItemView[] {
  const next = items.map((i) => ({ ...i }));
  const idOf = new Map<string, string>();
  for (const c of candidates) {
    const item: MemoryItemView = {
      id: newId(), kind: c.kind, text: c.text, status: 'live', pinned: false, scope: 'session', origin: c.origin,
      confidence: c.confidence, version: 1, sourceSeqs: c.sourceSeqs, supersededBy: null, closedReason: null,
    };
    idOf.set(c.ref, item.id);
    next.push(item);
    for (const ref of c.supersedes) {
      const old = next.find((i) => i.id === (idOf.get(ref) ?? ref) && i.status === 'live');
      if (old) Object.assign(old, { status: 'closed', pinned: false, supersededBy: item.id, closedReason: supersededReason(item) });
    }
  }
  return next;
}

const supersededReason = (by: { text: string }) => `superseded by "${by.text}"`;

export class MemoryStore {
  constructor(private readonly db: Db, private readonly events: Pick<EventStream, 'append' | 'appendMany'>) {}

  /** The session's items and its workspace's promoted ones, oldest first. */
  async list(sessionId: string, o: { includeClosed?: boolean } = {}): Promise<MemoryItemView[]> {
    const workspaceId = await this.workspaceOf(sessionId);
    const rows = await this.db.memoryItem.findMany({
      where: {
        OR: [{ sessionId }, ...(workspaceId ? [{ scope: 'workspace', workspaceId }] : [])],
        ...(o.includeClosed ? {} : { status: 'live' }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toMemoryItemView);
  }

  async add(sessionId: string, input: NewMemoryItem, actor: Actor): Promise<MemoryItemView> {
    const item = newMemoryItemSchema.parse(input);
    const row = await this.db.memoryItem.create({
      data: { sessionId, kind: item.kind, content: item.text, pinned: item.pinned ?? false, sourceEventIds: [], sourceSeqs: [], origin: 'user', confidence: 1, createdById: actor.id },
    });
    const view = toMemoryItemView(row);
    await this.events.append(sessionId, { type: 'memory.added', payload: addedPayload(view) }, actor);
    return view;
  }

  async edit(sessionId: string, itemId: string, input: string, actor: Actor): Promise<MemoryItemView> {
    const text = memoryTextSchema.parse(input);
    await this.owned(sessionId, itemId);
    const row = await this.db.memoryItem.update({ where: { id: itemId }, data: { content: text, version: { increment: 1 } } });
    await this.events.append(sessionId, { type: 'memory.edited', payload: { itemId, text, version: row.version } }, actor);
    return toMemoryItemView(row);
  }

  async pin(sessionId: string, itemId: string, pinned: boolean, actor: Actor): Promise<MemoryItemView> {
    await this.owned(sessionId, itemId);
    const row = await this.db.memoryItem.update({ where: { id: itemId }, data: { pinned } });
    await this.events.append(sessionId, { type: 'memory.pinned', payload: { itemId, pinned } }, actor);
    return toMemoryItemView(row);
  }

  async close(sessionId: string, itemId: string, reason: string, actor: Actor): Promise<MemoryItemView> {
    await this.owned(sessionId, itemId);
    const row = await this.db.memoryItem.update({ where: { id: itemId }, data: { status: 'closed', closedReason: reason, pinned: false } });
    await this.events.append(sessionId, { type: 'memory.closed', payload: { itemId, reason } }, actor);
    return toMemoryItemView(row);
  }

  /** Makes the item durable across the sessions of this session's workspace. */
  async promote(sessionId: string, itemId: string, actor: Actor): Promise<MemoryItemView> {
    await this.owned(sessionId, itemId);
    const workspaceId = await this.workspaceOf(sessionId);
    if (!workspaceId) throw new MemoryNotInWorkspaceError();
    const row = await this.db.memoryItem.update({ where: { id: itemId }, data: { scope: 'workspace', workspaceId } });
    await this.events.append(sessionId, { type: 'memory.promoted', payload: { itemId, workspaceId } }, actor);
    return toMemoryItemView(row);
  }

  /** Stores extraction's candidates; what they supersede is closed with a link to them. */
  async applyCandidates(sessionId: string, candidates: readonly Candidate[]): Promise<{ added: MemoryItemView[]; closed: MemoryItemView[] }> {
    const added: MemoryItemView[] = [];
    const closed: MemoryItemView[] = [];
    const idOf = new Map<string, string>();
    for (const c of candidates) {
      const row = await this.db.memoryItem.create({
        data: { sessionId, kind: c.kind, content: c.text, sourceEventIds: [], sourceSeqs: c.sourceSeqs, origin: c.origin, confidence: c.confidence },
      });
      const view = toMemoryItemView(row);
      idOf.set(c.ref, view.id);
      added.push(view);
      const events: Parameters<EventStream['appendMany']>[1] = [{ event: { type: 'memory.added', payload: addedPayload(view) }, actor: systemActor }];
      for (const ref of c.supersedes) {
        const id = idOf.get(ref) ?? ref;
        const visible = await this.findOwned(sessionId, id);
        if (!visible || visible.status !== 'live') continue;
        const reason = supersededReason(view);
        const old = await this.db.memoryItem.update({ where: { id }, data: { status: 'closed', supersededById: view.id, closedReason: reason, pinned: false } });
        closed.push(toMemoryItemView(old));
        events.push({ event: { type: 'memory.closed', payload: { itemId: id, reason, supersededBy: view.id } }, actor: systemActor });
      }
      await this.events.appendMany(sessionId, events);
    }
    return { added, closed };
  }

  private async workspaceOf(sessionId: string): Promise<string | null> {
    const s = await this.db.session.findUnique({ where: { id: sessionId }, select: { workspaceId: true } });
    return s?.workspaceId ?? null;
  }

  private async findOwned(sessionId: string, itemId: string): Promise<Row | null> {
    const row = await this.db.memoryItem.findUnique({ where: { id: itemId } });
    if (!row) return null;
    if (row.sessionId === sessionId) return row;
    const workspaceId = await this.workspaceOf(sessionId);
    return row.scope === 'workspace' && workspaceId && row.workspaceId === workspaceId ? row : null;
  }

  private async owned(sessionId: string, itemId: string): Promise<Row> {
    const row = await this.findOwned(sessionId, itemId);
    if (!row) throw new MemoryItemNotFoundError(itemId);
    return row;
  }
}

function addedPayload(v: MemoryItemView) {
  return { itemId: v.id, kind: v.kind, text: v.text, pinned: v.pinned, scope: v.scope, origin: v.origin, confidence: v.confidence, sourceSeqs: v.sourceSeqs };
}
