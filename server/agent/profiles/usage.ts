// Metering and quotas per task profile: tokens and cost per profile, per user, over the team's runs
// since a time, from the per-run totals the loop keeps on AgentRun (each model call is also a ModelUsage row).
import type { Db } from '../../db/client.ts';
import type { RunProfile } from './spec.ts';

export interface ProfileUsageRow { profile: string; userId: string; runs: number; inputTokens: number; outputTokens: number; costUsd: number }

export async function profileUsage(db: Db, teamId: string, since: Date): Promise<ProfileUsageRow[]> {
  const groups = await db.agentRun.groupBy({
    by: ['profile', 'userId'],
    where: { teamId, createdAt: { gte: since } },
    _count: { _all: true },
    _sum: { inputTokens: true, outputTokens: true, costUsd: true },
  });
  return groups.map((g) => ({
    // Runs from before profiles ran with every tool on the whole workspace: build's behaviour.
    profile: g.profile ?? '(none)', userId: g.userId, runs: g._count._all,
    inputTokens: g._sum.inputTokens ?? 0, outputTokens: g._sum.outputTokens ?? 0, costUsd: g._sum.costUsd ?? 0,
  })).sort((a, b) => a.profile.localeCompare(b.profile) || b.costUsd - a.costUsd);
}

const startOfUtcDay = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/** Why a run under this profile must stop for its daily quotas (per user, per team), or null. */
export async function profileQuotaVerdict(db: Db, run: { teamId: string; userId: string; profile: RunProfile }, now = new Date()): Promise<string | null> {
  const { userDailyTokens, teamDailyTokens } = run.profile.spec.limits;
  const since = startOfUtcDay(now);
  const used = async (where: { userId?: string }) => {
    const s = await db.agentRun.aggregate({ where: { teamId: run.teamId, profile: run.profile.name, createdAt: { gte: since }, ...where }, _sum: { inputTokens: true, outputTokens: true } });
    return (s._sum.inputTokens ?? 0) + (s._sum.outputTokens ?? 0);
  };
  const checks: ['user' | 'team', number | null, () => Promise<number>][] = [
    ['user', userDailyTokens, () => used({ userId: run.userId })],
    ['team', teamDailyTokens, () => used({})],
  ];
  for (const [scope, limit, spent] of checks) {
    if (limit === null) continue;
    const n = await spent();
    if (n >= limit) return `Stopped: the ${scope}'s daily quota for the ${run.profile.name} profile, ${limit} tokens, is used up (${n} used). It resets at midnight UTC; another profile or an admin can help sooner.`;
  }
  return null;
}
