// AgentRun rows: the durable state of each run (queued, running, ended, interrupted), so a
// restart knows what was in flight and where it got to.
import type { Db } from '../db/client.ts';
import type { LoopOutcome } from './loop.ts';

export type RunStatus = 'queued' | 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted' | 'paused';

export type AgentRunRow = Awaited<ReturnType<Db['agentRun']['findFirstOrThrow']>>;

export interface RunSummary {
  id: string;
  status: RunStatus;
  text: string;
  step: number;
  reason: string | null;
  route: string | null;
  profile: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  createdAt: string;
  endedAt: string | null;
}

export function summarize(r: AgentRunRow): RunSummary {
  return {
    id: r.id, status: r.status as RunStatus, text: r.text, step: r.step, reason: r.reason, route: r.route, profile: r.profile,
    inputTokens: r.inputTokens, outputTokens: r.outputTokens, costUsd: r.costUsd,
    createdAt: r.createdAt.toISOString(), endedAt: r.endedAt?.toISOString() ?? null,
  };
}

/**
 * A run the user, the step limit, a budget or a quota stopped did nothing wrong: it is
 * `stopped`, and the run's reason says which (the limit's message). Only a model or internal
 * error, or a missing model or workspace, is `failed`.
 */
export function statusFor(outcome: LoopOutcome['outcome']): RunStatus {
  switch (outcome) {
    case 'completed': return 'completed';
    case 'stopped':
    case 'step_limit':
    case 'budget':
    case 'quota': return 'stopped';
    case 'not_configured':
    case 'error': return 'failed';
  }
}

export class RunStore {
  constructor(private readonly db: Db) {}

  create(data: { sessionId: string; userId: string; teamId: string; text: string; profile: string | null }) {
    return this.db.agentRun.create({ data });
  }

  get(id: string) { return this.db.agentRun.findUnique({ where: { id } }); }

  nextQueued(sessionId: string) {
    return this.db.agentRun.findFirst({ where: { sessionId, status: 'queued' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  inSession(sessionId: string, statuses: RunStatus[]) {
    return this.db.agentRun.findMany({ where: { sessionId, status: { in: statuses } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  latest(sessionId: string, take: number) {
    return this.db.agentRun.findMany({ where: { sessionId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take });
  }

  markRunning(id: string) {
    return this.db.agentRun.update({ where: { id }, data: { status: 'running', startedAt: new Date(), endedAt: null, reason: null } });
  }

  step(id: string, step: number, u: { inputTokens: number; outputTokens: number; costUsd: number; route: string }) {
    return this.db.agentRun.update({
      where: { id },
      data: { step, route: u.route || undefined, inputTokens: { increment: u.inputTokens }, outputTokens: { increment: u.outputTokens }, costUsd: { increment: u.costUsd } },
    });
  }

  end(id: string, status: RunStatus, reason: string | null) {
    return this.db.agentRun.update({ where: { id }, data: { status, reason, endedAt: new Date() } });
  }

  /** Runs this process had started and no longer owns (it crashed or was killed). */
  inFlight() { return this.db.agentRun.findMany({ where: { status: 'running' } }); }

  sessionsWithQueued() {
    return this.db.agentRun.findMany({ where: { status: 'queued' }, select: { sessionId: true }, distinct: ['sessionId'] });
  }
}
