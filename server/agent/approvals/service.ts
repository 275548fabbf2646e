// The approval gate: a call the policy asks about becomes an Approval row and an event, and the
// run waits until a person answers, the approval expires, or the run is stopped. Rows outlive
// the process: a restarted server finds the pending row again, and the answer given after the
// restart lets the interrupted run continue (see onSettledWithoutRun).
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../log.ts';
import type { Principal } from '../../auth/roles.ts';
import type { Actor } from '../../sessions/event-types.ts';
import type { EventBus } from '../../sessions/bus.ts';
import type { EventStream } from '../../sessions/stream.ts';
import type { ApprovalGate, PolicyCall, PolicyDecision } from '../policy.ts';
import { SHUTDOWN } from '../run-signals.ts';
import { approvalsDecided, approvalWaitSeconds } from '../../metrics/registry.ts';
import { approveRefusal } from './authority.ts';
import { toView, type ApprovalRow, type ApprovalView } from './view.ts';
import { addRule, type StoredRule } from '../policy/rules-store.ts';
import { EGRESS_TOOL, suggestedRules } from './suggested-rules.ts';
import { addEgressEntry } from '../../workspace/egress/allowlist-store.ts';

type Answer = Awaited<ReturnType<ApprovalGate['request']>>;
/**
 * What is asked about: a tool call, or something a workspace process does that is gated the same
 * way (the egress proxy asks with tool "network" and runId "" — no run waits on it).
 */
export interface ApprovalAsk {
  sessionId: string; runId: string; callId: string; tool: string;
  /** Whose action it is (four eyes for high risk); null when no person started it. */
  userId: string | null;
  input: unknown;
  decision: PolicyDecision;
  /** The task profile of the run that made the call, shown with the approval. */
  profile?: string;
}
type Outcome = 'approved' | 'denied' | 'expired' | 'cancelled';
export type DecideResult =
  | { ok: true; approval: ApprovalView; rulesAdded: StoredRule[] }
  | { ok: false; code: 'not_found' | 'conflict' | 'forbidden' | 'bad_request'; error: string };

/** setTimeout's ceiling; a longer expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const system: Actor = { kind: 'system', id: null };

export class ApprovalService implements ApprovalGate {
  /** Runs in this process waiting on an approval, by approval id. */
  private readonly waiters = new Map<string, (a: Answer) => void>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private changeListeners: ((teamId: string) => void)[] = [];
  private orphanListener: (a: { sessionId: string; runId: string }) => void = () => {};

  /**
   * bus: where answers given on other instances are heard (the Redis bus), so a run waiting here
   * wakes as soon as an admin connected elsewhere decides; without it, at the expiry at the latest.
   */
  constructor(private readonly o: { db: Db; events: EventStream; log: Logger; timeoutMs: number; bus?: EventBus }) {}

  /** The transport pushes queue changes to admins. */
  onChange(listener: (teamId: string) => void): void { this.changeListeners.push(listener); }

  /** An approval was answered (or expired) while no run in this process waited for it: resume that run. */
  onSettledWithoutRun(listener: (a: { sessionId: string; runId: string }) => void): void { this.orphanListener = listener; }

  request(call: PolicyCall & { callId: string; decision: PolicyDecision }, signal: AbortSignal): Promise<Answer> {
    const { sessionId, runId, callId, userId, input, decision } = call;
    return this.ask({ sessionId, runId, callId, userId, input, decision, tool: call.tool.name, profile: call.profile?.name }, signal, call.highRisk);
  }

  /** Raises (or finds again) the approval and waits for its answer. */
  async ask(call: ApprovalAsk, signal: AbortSignal, highRisk: string | null = null): Promise<Answer> {
    let row = await this.o.db.approval.findUnique({ where: { sessionId_toolCallId: { sessionId: call.sessionId, toolCallId: call.callId } } });
    // A re-delivered call (resume after a restart) finds its approval again instead of asking twice.
    row ??= await this.create(call, highRisk);
    const id = row.id;
    // Listening before the status is read again, so an answer in between is never missed.
    const unheard = await this.o.bus?.subscribe(call.sessionId, (e) => {
      if (e.type === 'agent.approval.decided' && (e.payload as { approvalId: string }).approvalId === id) {
        this.wakeWithStoredAnswer(id).catch((err: unknown) => this.o.log.error({ err, approvalId: id }, 'could not read an answer given elsewhere'));
      }
    });
    try {
      if (row.status === 'pending' && row.expiresAt.getTime() <= Date.now()) await this.settle(row, 'expired', null, expiredAnswer(this.o.timeoutMs));
      row = await this.o.db.approval.findUniqueOrThrow({ where: { id } });
      if (row.status !== 'pending') return answerOf(row);
      if (signal.aborted) return await this.abandon(row, signal);
      const pending = row;
      return await new Promise<Answer>((resolve) => {
        const onAbort = () => { this.waiters.delete(pending.id); void this.abandon(pending, signal).then(resolve); };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiters.set(pending.id, (a) => { signal.removeEventListener('abort', onAbort); resolve(a); });
        this.arm(pending);
      });
    } finally {
      unheard?.();
    }
  }

  /**
   * A person's answer. Refused unless the approval belongs to this session, is still pending
   * and the person may give that answer; the conditional update makes a replay a no-op.
   */
  async decide(principal: Principal, input: { sessionId: string; approvalId: string; approve: boolean; addRule?: boolean }): Promise<DecideResult> {
    const row = await this.o.db.approval.findUnique({ where: { id: input.approvalId } });
    if (!row || row.sessionId !== input.sessionId || row.teamId !== principal.teamId) return { ok: false, code: 'not_found', error: 'No such approval in this session.' };
    if (row.status !== 'pending') return { ok: false, code: 'conflict', error: `This approval was already ${row.status}.` };
    if (row.expiresAt.getTime() <= Date.now()) {
      await this.settle(row, 'expired', null, expiredAnswer(this.o.timeoutMs));
      return { ok: false, code: 'conflict', error: 'This approval has expired; the call was denied.' };
    }
    if (input.approve) {
      const refusal = approveRefusal(principal, row);
      if (refusal) {
        this.o.log.warn({ approvalId: row.id, userId: principal.user.id, risk: row.risk }, 'approval refused');
        return { ok: false, code: 'forbidden', error: refusal };
      }
    }
    const rules = input.addRule ? suggestedRules(row) : [];
    if (input.addRule) {
      if (!input.approve) return { ok: false, code: 'bad_request', error: 'A rule can only be added when approving.' };
      if (principal.role !== 'admin') return { ok: false, code: 'forbidden', error: 'Only an admin can add rules.' };
      if (!rules.length) return { ok: false, code: 'bad_request', error: 'No rule can be suggested for this call (high risk, or a pattern would be wider than the call).' };
    }
    const outcome = input.approve ? 'approved' : 'denied';
    const answer = input.approve ? `approved by ${principal.user.name}` : `denied by ${principal.user.name}`;
    const settled = await this.settle(row, outcome, principal.user.id, answer);
    if (!settled) return { ok: false, code: 'conflict', error: 'This approval was already answered.' };
    const workspaceId = rules.length ? (await this.o.db.session.findUnique({ where: { id: row.sessionId }, select: { workspaceId: true } }))?.workspaceId ?? null : null;
    const rulesAdded: StoredRule[] = [];
    for (const r of rules) {
      if (r.tool === EGRESS_TOOL) {
        const added = await addEgressEntry(this.o.db, { teamId: row.teamId, actorId: principal.user.id, input: { host: r.pattern, workspaceId, note: `allowed always when approving (approval ${row.id})` } });
        if (!added.ok) this.o.log.warn({ approvalId: row.id, error: added.error }, 'could not add the host to the workspace allowlist');
        continue;
      }
      rulesAdded.push(await addRule(this.o.db, { teamId: row.teamId, actorId: principal.user.id, rule: { action: 'allow', tool: r.tool, pattern: r.pattern, workspaceId, note: `added when approving ${row.tool} (approval ${row.id})` } }));
    }
    return { ok: true, approval: toView(settled, principal), rulesAdded };
  }

  /** Approvals of one session, newest first (the caller has checked access to it). */
  async inSession(principal: Principal, sessionId: string): Promise<ApprovalView[]> {
    const rows = await this.o.db.approval.findMany({ where: { sessionId }, orderBy: { createdAt: 'desc' }, take: 50 });
    return rows.map((r) => toView(r, principal));
  }

  /** The admin queue: every pending, unexpired approval of the admin's team. */
  async queue(principal: Principal): Promise<(ApprovalView & { sessionTitle: string })[]> {
    const rows = await this.o.db.approval.findMany({
      where: { teamId: principal.teamId, status: 'pending', expiresAt: { gt: new Date() } },
      orderBy: { createdAt: 'asc' },
      include: { session: { select: { title: true } } },
    });
    return rows.map((r) => ({ ...toView(r, principal), sessionTitle: r.session.title }));
  }

  /** At start-up: pending approvals left by a previous process expire on time too. */
  async recover(): Promise<number> {
    const rows = await this.o.db.approval.findMany({ where: { status: 'pending' } });
    rows.forEach((r) => this.arm(r));
    return rows.length;
  }

  close(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
  }

  private async create(call: ApprovalAsk, highRisk: string | null): Promise<ApprovalRow> {
    const session = await this.o.db.session.findUniqueOrThrow({ where: { id: call.sessionId }, select: { teamId: true } });
    const risk = call.decision.risk ?? (highRisk ? 'high' : 'medium');
    const expiresAt = new Date(Date.now() + this.o.timeoutMs);
    const row = await this.o.db.approval.create({
      data: {
        sessionId: call.sessionId, teamId: session.teamId, runId: call.runId, toolCallId: call.callId, tool: call.tool,
        risk, reason: call.decision.reason, rule: call.decision.rule ?? null, requestedById: call.userId, expiresAt,
        detail: jsonSafe({ input: call.input, commands: call.decision.commands ?? [], ...(call.decision.releaseCheck !== undefined ? { releaseCheck: call.decision.releaseCheck } : {}), ...(call.profile ? { profile: call.profile } : {}) }),
      },
    });
    await this.o.events.append(call.sessionId, {
      type: 'agent.approval.requested',
      payload: {
        approvalId: row.id, runId: call.runId, callId: call.callId, tool: row.tool, risk: risk as 'high',
        reason: call.decision.reason, rule: row.rule, requestedBy: call.userId, expiresAt: expiresAt.toISOString(),
      },
    }, system);
    this.changed(row.teamId);
    return row;
  }

  /** Moves a pending approval to its outcome once (null when someone else got there first). */
  private async settle(row: ApprovalRow, outcome: Outcome, by: string | null, answer: string): Promise<ApprovalRow | null> {
    const { count } = await this.o.db.approval.updateMany({
      where: { id: row.id, status: 'pending' },
      data: { status: outcome, decidedById: by, decidedAt: new Date(), answer },
    });
    if (!count) return null;
    approvalsDecided.inc({ outcome });
    approvalWaitSeconds.observe((Date.now() - row.createdAt.getTime()) / 1000);
    clearTimeout(this.timers.get(row.id));
    this.timers.delete(row.id);
    await this.o.events.append(row.sessionId, {
      type: 'agent.approval.decided',
      payload: { approvalId: row.id, runId: row.runId, callId: row.toolCallId, outcome, by, reason: answer },
    }, by ? { kind: 'user', id: by } : system);
    this.changed(row.teamId);
    const settled = await this.o.db.approval.findUniqueOrThrow({ where: { id: row.id } });
    const waiter = this.waiters.get(row.id);
    this.waiters.delete(row.id);
    if (waiter) waiter(answerOf(settled));
    else if (outcome !== 'cancelled') this.orphanListener({ sessionId: row.sessionId, runId: row.runId });
    return settled;
  }

  /** The run stopped waiting: a user's Stop cancels the approval; a shutdown leaves it pending for the restart. */
  private async abandon(row: ApprovalRow, signal: AbortSignal): Promise<Answer> {
    clearTimeout(this.timers.get(row.id));
    this.timers.delete(row.id);
    if (signal.reason !== SHUTDOWN) await this.settle(row, 'cancelled', null, 'the run was stopped before anyone answered');
    return { granted: false, by: null, reason: 'the run was stopped before anyone answered' };
  }

  private arm(row: ApprovalRow): void {
    clearTimeout(this.timers.get(row.id));
    const ms = Math.max(0, row.expiresAt.getTime() - Date.now());
    this.timers.set(row.id, setTimeout(() => {
      this.timers.delete(row.id);
      if (ms >= MAX_TIMER_MS) return this.arm(row);
      this.settle(row, 'expired', null, expiredAnswer(this.o.timeoutMs))
        // Already answered, yet someone still waits (the answer raced the wait, or reached another
        // instance): wake them with the stored answer rather than leave the run hanging.
        .then(async (settled) => { if (!settled) await this.wakeWithStoredAnswer(row.id); })
        .catch((err: unknown) => this.o.log.error({ err, approvalId: row.id }, 'could not expire an approval'));
    }, Math.min(ms, MAX_TIMER_MS)).unref());
  }

  private async wakeWithStoredAnswer(id: string): Promise<void> {
    const waiter = this.waiters.get(id);
    if (!waiter) return;
    this.waiters.delete(id);
    waiter(answerOf(await this.o.db.approval.findUniqueOrThrow({ where: { id } })));
  }

  private changed(teamId: string) {
    for (const l of this.changeListeners) {
      try { l(teamId); } catch (err) { this.o.log.error({ err }, 'approval change listener failed'); }
    }
  }
}

function answerOf(row: ApprovalRow): Answer {
  return { granted: row.status === 'approved', by: row.decidedById ?? (row.status === 'expired' ? 'timeout' : null), reason: row.answer ?? row.status };
}

const expiredAnswer = (timeoutMs: number) => `nobody answered within ${Math.round(timeoutMs / 1000)} s, so it was denied`;

function jsonSafe(v: unknown): never {
  return (v === undefined ? null : JSON.parse(JSON.stringify(v))) as never;
}
