// The dashboard's list of sessions: who sees which, and search and sort over them.
import { z } from 'zod';
import type { Principal } from '../auth/roles.ts';
import type { Db } from '../db/client.ts';
import { sessionRoleOf, type SessionRole } from './access.ts';

export const sessionSortSchema = z.enum(['activity', 'title', 'owner', 'status', 'created']);
export type SessionSort = z.infer<typeof sessionSortSchema>;

export const listSessionsInput = z.object({
  search: z.string().trim().max(200).default(''),
  sort: sessionSortSchema.default('activity'),
}).default({ search: '', sort: 'activity' });

export interface ListedSession {
  id: string;
  title: string;
  status: string;
  createdAt: Date;
  /** The last event, rename, stop or restart: every one of them moves the session row. */
  lastActivityAt: Date;
  lastSeq: number;
  owner: { id: string; name: string; email: string };
  workspace: { status: string; source: string; error: string | null } | null;
  /** The caller's role: `editor` and `viewer` mark sessions someone else shared with them. */
  role: SessionRole;
}

/**
 * Admins see their team's sessions, members their own and those they were added to; deleted ones
 * are gone from the list (their events stay).
 */
export async function listSessions(db: Db, principal: Principal, input: z.output<typeof listSessionsInput>): Promise<ListedSession[]> {
  const mine = { OR: [{ ownerId: principal.user.id }, { members: { some: { userId: principal.user.id } } }] };
  const rows = await db.session.findMany({
    where: { teamId: principal.teamId, deletedAt: null, ...(principal.role === 'admin' ? {} : mine) },
    orderBy: { updatedAt: 'desc' },
    select: {
      id: true, title: true, status: true, createdAt: true, updatedAt: true, lastSeq: true, teamId: true, ownerId: true,
      owner: { select: { id: true, name: true, email: true } },
      workspace: { select: { status: true, source: true, error: true } },
      members: { where: { userId: principal.user.id }, select: { role: true } },
    },
  });
  const listed = rows.flatMap(({ updatedAt, teamId, ownerId, members, ...r }) => {
    const role = sessionRoleOf(principal, { teamId, ownerId }, members[0]?.role ?? null);
    return role ? [{ ...r, role, lastActivityAt: updatedAt }] : [];
  });
  return sortSessions(searchSessions(listed, input.search), input.sort);
}

/**
 * Every word of the query must appear in the title, the owner's name or email, or the status
 * (case-insensitive). Done here rather than in SQL because SQLite and PostgreSQL disagree on
 * case-insensitive matching, and a team's sessions are few enough to filter in memory.
 */
export function searchSessions(rows: ListedSession[], query: string): ListedSession[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return rows;
  return rows.filter((r) => {
    const haystack = [r.title, r.owner.name, r.owner.email, r.status, r.workspace?.status ?? ''].join('\n').toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

const byText = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true });
const newestFirst = (a: Date, b: Date) => b.getTime() - a.getTime();

const comparators: Record<SessionSort, (a: ListedSession, b: ListedSession) => number> = {
  activity: (a, b) => newestFirst(a.lastActivityAt, b.lastActivityAt),
  created: (a, b) => newestFirst(a.createdAt, b.createdAt),
  title: (a, b) => byText(a.title, b.title),
  owner: (a, b) => byText(a.owner.name, b.owner.name),
  status: (a, b) => byText(a.status, b.status),
};

/** Ties fall back to the most recent activity, so the order never depends on the database's. */
export function sortSessions(rows: ListedSession[], sort: SessionSort): ListedSession[] {
  const primary = comparators[sort];
  return [...rows].sort((a, b) => primary(a, b) || comparators.activity(a, b) || a.id.localeCompare(b.id));
}
