// Every model call is metered (tokens in/out, estimated cost) against its user, team, session
// and run; quotas are checked against those sums before a call, never in the middle of one.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { modelTasks, parseUsageRouteKey } from './tasks.ts';
import { modelCalls, modelTokens } from '../metrics/registry.ts';

export interface UsageContext {
  userId?: string | null;
  teamId?: string | null;
  sessionId?: string | null;
  runId?: string | null;
}

export interface UsageRecord {
  route: string;
  context: UsageContext;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  outcome: 'ok' | 'error' | 'aborted';
}

/** 0 means unlimited. */
export interface QuotaLimits {
  userDailyTokens: number;
  userDailyUsd: number;
  teamDailyTokens: number;
  teamDailyUsd: number;
  runTokens: number;
  runUsd: number;
}

export function quotaLimitsFromConfig(c: Config): QuotaLimits {
  return {
    userDailyTokens: c.TETHER_QUOTA_USER_DAILY_TOKENS,
    userDailyUsd: c.TETHER_QUOTA_USER_DAILY_USD,
    teamDailyTokens: c.TETHER_QUOTA_TEAM_DAILY_TOKENS,
    teamDailyUsd: c.TETHER_QUOTA_TEAM_DAILY_USD,
    runTokens: c.TETHER_RUN_BUDGET_TOKENS,
    runUsd: c.TETHER_RUN_BUDGET_USD,
  };
}

export interface UsageTotals { calls: number; inputTokens: number; outputTokens: number; costUsd: number }

export interface QuotaVerdict { scope: 'user' | 'team' | 'run'; message: string }

type UsageFilter = { userId?: string; teamId?: string; sessionId?: string; runId?: string; since?: Date };

export class UsageMeter {
  constructor(
    private readonly db: Db,
    readonly limits: QuotaLimits,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(r: UsageRecord): Promise<void> {
    modelCalls.inc({ route: r.route, outcome: r.outcome });
    modelTokens.inc({ route: r.route, direction: 'input' }, r.inputTokens);
    modelTokens.inc({ route: r.route, direction: 'output' }, r.outputTokens);
    await this.db.modelUsage.create({
      data: {
        route: r.route,
        userId: r.context.userId ?? null,
        teamId: r.context.teamId ?? null,
        sessionId: r.context.sessionId ?? null,
        runId: r.context.runId ?? null,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        costUsd: r.costUsd,
        outcome: r.outcome,
        createdAt: this.now(),
      },
    });
  }

  async totals(filter: UsageFilter): Promise<UsageTotals> {
    const { since, ...where } = filter;
    const agg = await this.db.modelUsage.aggregate({
      where: { ...where, ...(since ? { createdAt: { gte: since } } : {}) },
      _count: { _all: true },
      _sum: { inputTokens: true, outputTokens: true, costUsd: true },
    });
    return {
      calls: agg._count._all,
      inputTokens: agg._sum.inputTokens ?? 0,
      outputTokens: agg._sum.outputTokens ?? 0,
      costUsd: agg._sum.costUsd ?? 0,
    };
  }

  /**
   * Null while another call is allowed; otherwise which limit was reached, in words for the user.
   * nextInputTokens: the prompt about to be sent. It counts against the run's budget before the
   * call, so a run ends past its budget by at most one reply.
   */
  async checkQuota(ctx: UsageContext, nextInputTokens = 0): Promise<QuotaVerdict | null> {
    const l = this.limits;
    const since = startOfUtcDay(this.now());
    const checks: [QuotaVerdict['scope'], string | null | undefined, number, number, UsageFilter][] = [
      ['run', ctx.runId, l.runTokens, l.runUsd, { runId: ctx.runId ?? '' }],
      ['user', ctx.userId, l.userDailyTokens, l.userDailyUsd, { userId: ctx.userId ?? '', since }],
      ['team', ctx.teamId, l.teamDailyTokens, l.teamDailyUsd, { teamId: ctx.teamId ?? '', since }],
    ];
    for (const [scope, id, tokens, usd, filter] of checks) {
      if (!id || (!tokens && !usd)) continue;
      const t = await this.totals(filter);
      const used = t.inputTokens + t.outputTokens;
      const what = scope === 'run' ? 'this run\'s budget' : `the ${scope}'s daily quota`;
      if (tokens && used >= tokens) return { scope, message: `Stopped: ${what} of ${tokens} tokens is used up (${used} used).${resetNote(scope)}` };
      if (scope === 'run' && tokens && used + nextInputTokens > tokens) {
        return { scope, message: `Stopped: the next model call (about ${nextInputTokens} tokens of prompt) would go past ${what} of ${tokens} tokens (${used} used).${resetNote(scope)}` };
      }
      if (usd && t.costUsd >= usd) return { scope, message: `Stopped: ${what} of $${usd.toFixed(2)} is used up ($${t.costUsd.toFixed(4)} used).${resetNote(scope)}` };
    }
    return null;
  }

  /** Today's usage for an admin page: per task, route, user and team. */
  async summary(since: Date = startOfUtcDay(this.now())) {
    const group = async (by: 'route' | 'userId' | 'teamId') => {
      const rows = await this.db.modelUsage.groupBy({
        by: [by],
        where: { createdAt: { gte: since } },
        _count: { _all: true },
        _sum: { inputTokens: true, outputTokens: true, costUsd: true },
      });
      return rows.map((r) => ({
        key: (r as Record<string, unknown>)[by] as string | null,
        calls: r._count._all,
        inputTokens: r._sum.inputTokens ?? 0,
        outputTokens: r._sum.outputTokens ?? 0,
        costUsd: r._sum.costUsd ?? 0,
      }));
    };
    const [routeRows, byUser, byTeam] = await Promise.all([group('route'), group('userId'), group('teamId')]);
    const byRoute = routeRows.map((r) => ({ ...r, ...parseUsageRouteKey(r.key ?? '') }));
    const byTask = modelTasks.map((task) => byRoute.filter((r) => r.task === task).reduce(
      (sum, r) => ({ ...sum, calls: sum.calls + r.calls, inputTokens: sum.inputTokens + r.inputTokens, outputTokens: sum.outputTokens + r.outputTokens, costUsd: sum.costUsd + r.costUsd }),
      { task, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    ));
    return { since: since.toISOString(), byTask, byRoute, byUser, byTeam };
  }
}

function resetNote(scope: QuotaVerdict['scope']): string {
  return scope === 'run' ? ' Send a new message to continue with a fresh budget.' : ' It resets at 00:00 UTC; an admin can raise it.';
}

export function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
