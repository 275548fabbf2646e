// One audit view over both chains: the team's AuditEntry rows and its sessions' events, newest
// first, keyset-paginated. Kinds are not listed anywhere here: risk, decision, who decided and a
// one-line summary are read from well-known payload keys, so a new kind of record (egress, secrets,
// share links) shows up and filters without a change to this file.
import { z } from 'zod';
import type { Db } from '../db/client.ts';

export const auditQueryInput = z.object({
  userId: z.string().min(1).max(64).optional(),
  sessionId: z.string().min(1).max(64).optional(),
  /** A kind or a prefix of one: "agent.tool", "policy.", "terminal.command". */
  kind: z.string().min(1).max(100).optional(),
  risk: z.enum(['low', 'medium', 'high']).optional(),
  /** allow, ask, deny, approved, denied, expired, cancelled, or whatever a newer kind records. */
  decision: z.string().min(1).max(32).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  cursor: z.string().max(300).optional(),
  limit: z.number().int().min(1).max(1000).default(50),
});
export type AuditQuery = z.input<typeof auditQueryInput>;

export interface AuditItem {
  source: 'team' | 'session';
  id: string;
  seq: number | null;
  kind: string;
  createdAt: string;
  actorKind: string;
  actorId: string | null;
  sessionId: string | null;
  target: string | null;
  risk: string | null;
  decision: string | null;
  decidedBy: string | null;
  summary: string;
  detail: unknown;
}

export interface AuditPage { items: AuditItem[]; nextCursor: string | null; scanned: number }

/** A risk or decision filter is applied after reading (they live in payloads); this bounds one page's scan. */
const MAX_SCAN_PER_PAGE = 20_000;
const SUMMARY_CHARS = 240;

type Key = { at: number; source: AuditItem['source']; id: string };
// Newest first; at equal times team records before session records, then by id, descending.
const SOURCE_RANK = { session: 0, team: 1 } as const;
const compareDesc = (a: Key, b: Key) => b.at - a.at || SOURCE_RANK[b.source] - SOURCE_RANK[a.source] || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const encodeCursor = (k: Key) => Buffer.from(JSON.stringify([k.at, k.source, k.id])).toString('base64url');
const cursorSchema = z.tuple([z.number().int(), z.enum(['team', 'session']), z.string().max(64)]);
export class BadCursorError extends Error { constructor() { super('That page link is no longer valid; start from the first page.'); } }
function decodeCursor(cursor: string): Key {
  try {
    const [at, source, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return { at, source, id };
  } catch { throw new BadCursorError(); }
}

/** Rows of one source strictly after the cursor in the view's order. */
function after(source: AuditItem['source'], c: Key | null) {
  if (!c) return {};
  const t = new Date(c.at);
  if (c.source === source) return { OR: [{ createdAt: { lt: t } }, { createdAt: t, id: { lt: c.id } }] };
  return SOURCE_RANK[source] < SOURCE_RANK[c.source] ? { createdAt: { lte: t } } : { createdAt: { lt: t } };
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function riskOf(p: Record<string, unknown>) { return str(p.risk) ?? (str(p.highRisk) ? 'high' : null); }
function decisionOf(p: Record<string, unknown>) { return str(p.decision) ?? str(p.outcome); }
function decidedByOf(p: Record<string, unknown>) { return str(p.by) ?? str(p.rule) ?? str(p.decidedBy); }

/** What a person wants to read first: the command, the path, the host, the message. */
export function summarize(p: Record<string, unknown>): string {
  const input = rec(p.input);
  const command = str(p.command) ?? str(input.command);
  const tool = str(p.tool);
  const text = command ?? (tool && (str(input.path) ?? str(input.pattern))) ?? str(p.host) ?? str(p.text) ?? str(p.message) ?? str(p.reason) ?? str(p.title) ?? str(p.path);
  const line = tool && text ? `${tool}: ${text}` : text ?? tool ?? JSON.stringify(p);
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
}

export async function listAudit(db: Db, teamId: string, query: AuditQuery): Promise<AuditPage> {
  const q = auditQueryInput.parse(query);
  let cursor = q.cursor ? decodeCursor(q.cursor) : null;
  const time = { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lte: new Date(q.to) } : {}) };
  const batch = q.risk || q.decision ? Math.max(q.limit, 500) : q.limit;
  const items: AuditItem[] = [];
  let scanned = 0;
  for (;;) {
    const [entries, events] = await Promise.all([
      db.auditEntry.findMany({
        where: {
          AND: [
            { teamId, createdAt: time },
            q.userId ? { actorId: q.userId } : {},
            q.sessionId ? { OR: [{ sessionId: q.sessionId }, { target: q.sessionId }] } : {},
            q.kind ? { action: { startsWith: q.kind } } : {},
            after('team', cursor),
          ],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: batch,
      }),
      db.event.findMany({
        where: {
          AND: [
            { session: { teamId }, createdAt: time },
            q.userId ? { actorId: q.userId } : {},
            q.sessionId ? { sessionId: q.sessionId } : {},
            q.kind ? { type: { startsWith: q.kind } } : {},
            after('session', cursor),
          ],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: batch,
      }),
    ]);
    const merged: AuditItem[] = [
      ...entries.map((e): AuditItem => {
        const d = rec(e.detail);
        return {
          source: 'team', id: e.id, seq: e.seq, kind: e.action, createdAt: e.createdAt.toISOString(), actorKind: e.actorId ? 'user' : 'system',
          actorId: e.actorId, sessionId: e.sessionId, target: e.target, risk: riskOf(d), decision: decisionOf(d), decidedBy: decidedByOf(d) ?? e.actorId,
          summary: summarize({ ...d, ...(e.target && !Object.keys(d).length ? { text: e.target } : {}) }), detail: e.detail,
        };
      }),
      ...events.map((e): AuditItem => {
        const p = rec(e.payload);
        return {
          source: 'session', id: e.id, seq: e.seq, kind: e.type, createdAt: e.createdAt.toISOString(), actorKind: e.actorKind,
          actorId: e.actorId, sessionId: e.sessionId, target: null, risk: riskOf(p), decision: decisionOf(p), decidedBy: decidedByOf(p),
          summary: summarize(p), detail: e.payload,
        };
      }),
    ].sort((a, b) => compareDesc(keyOf(a), keyOf(b)));
    const exhausted = entries.length < batch && events.length < batch;
    // Only the first `batch` of the merge are certainly in order: beyond that one source may have more rows not yet read.
    const page = exhausted ? merged : merged.slice(0, batch);
    for (const item of page) {
      scanned++;
      cursor = keyOf(item);
      if ((q.risk && item.risk !== q.risk) || (q.decision && item.decision !== q.decision)) continue;
      items.push(item);
      if (items.length === q.limit) return { items, nextCursor: encodeCursor(cursor), scanned };
    }
    if (exhausted) return { items, nextCursor: null, scanned };
    if (scanned >= MAX_SCAN_PER_PAGE) return { items, nextCursor: cursor ? encodeCursor(cursor) : null, scanned };
  }
}

function keyOf(i: AuditItem): Key { return { at: Date.parse(i.createdAt), source: i.source, id: i.id }; }
