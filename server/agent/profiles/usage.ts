// Metering per task profile: tokens and cost per profile, per user, over the team's runs since a
// time, from the per-run totals the loop keeps on AgentRun (each model call is also a ModelUsage row).
import type { Db } from '../../db/client.ts';

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
