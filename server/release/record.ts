// Release checks are session events, so the timeline shows them and a publishing approval can
// show the latest one of the workspace it would publish from.
import type { Db } from '../db/client.ts';
import type { NewEvent } from '../sessions/event-types.ts';
import { MAX_RECORDED_PROBLEMS, type ReleaseReport } from './check.ts';

export function releaseCheckedEvent(dir: string | null, report: ReleaseReport): NewEvent {
  return {
    type: 'release.checked',
    payload: {
      source: report.source, dir, fileCount: report.fileCount, allowlistFrom: report.allowlistFrom,
      problems: report.problems.slice(0, MAX_RECORDED_PROBLEMS), problemCount: report.problems.length,
    },
  };
}

export interface LatestReleaseCheck {
  at: string;
  source: string;
  problemCount: number;
  problems: { path: string; problem: string }[];
  /** Files changed (an agent write or command, or the file watcher saw a change) since it ran. */
  stale: boolean;
}

/** Events after a check that mean the tree it checked may no longer be the tree being published. */
const CHANGES = ['agent.checkpoint', 'file.changed'];

export async function latestReleaseCheck(db: Pick<Db, 'event'>, sessionId: string): Promise<LatestReleaseCheck | null> {
  const last = await db.event.findFirst({ where: { sessionId, type: 'release.checked' }, orderBy: { seq: 'desc' } });
  if (!last) return null;
  const p = last.payload as { source: string; problemCount: number; problems: { path: string; problem: string }[] };
  const changed = await db.event.count({ where: { sessionId, seq: { gt: last.seq }, type: { in: CHANGES } } });
  return { at: last.createdAt.toISOString(), source: p.source, problemCount: p.problemCount, problems: p.problems.slice(0, 20), stale: changed > 0 };
}
