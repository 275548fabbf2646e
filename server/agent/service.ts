// The agent as the transport sees it: send a message, stop, resume, rewind, status. One run at
// a time per session (later messages wait as queued); runs survive restarts as "interrupted".
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { UsageMeter } from '../models/metering.ts';
import type { ModelRouter } from '../models/router.ts';
import { listEvents } from '../sessions/events.ts';
import type { Actor, EventPayload, NewEvent, SessionEvent } from '../sessions/event-types.ts';
import type { EventStream } from '../sessions/stream.ts';
import { runLoop, type AgentDelta, type LoopDeps, type LoopOutcome } from './loop.ts';
import { allowAll, noApprovals, type ApprovalGate, type PolicyHook } from './policy.ts';
import type { Generate } from './context/extract-model.ts';
import { ContextPipeline } from './context/pipeline.ts';
import { MemoryStore } from './context/memory.ts';
import { contextPromptBuilder, type PromptBuilder } from './prompt.ts';
import { DEFAULT_PROFILE } from './profiles/builtins.ts';
import { withProfileEgress } from './profiles/network.ts';
import { scopedByProfile } from './profiles/policy.ts';
import { profileFor } from './profiles/store.ts';
import { profileQuotaVerdict } from './profiles/usage.ts';
import { RunLog } from './run-state.ts';
import { SHUTDOWN, STOP } from './run-signals.ts';
import { RunStore, statusFor, summarize, type AgentRunRow, type RunSummary } from './runs.ts';
import { builtinTools, toolRegistry } from './tools/registry.ts';
import type { AgentWorkspace, AnyTool } from './tools/tool.ts';
import { localLeases, type Lease, type Leases } from '../scale/leases.ts';
import type { Signals } from '../scale/signals.ts';
import { agentRunsEnded } from '../metrics/registry.ts';

export const DEFAULT_MAX_STEPS = 50;

export interface AgentServiceOptions {
  db: Db;
  events: EventStream;
  router: Pick<ModelRouter, 'stream' | 'status' | 'contextWindow'>;
  meter?: UsageMeter;
  /** The session's workspace, or null when it has none (yet). */
  workspaces: (sessionId: string) => Promise<AgentWorkspace | null>;
  log: Logger;
  tools?: AnyTool[];
  policy?: PolicyHook;
  approvals?: ApprovalGate;
  prompt?: PromptBuilder;
  /** The extraction route for memory (server/agent/context/extract-model.ts); rules alone without it. */
  extraction?: Generate;
  maxSteps?: number;
  /** Live text deltas for the transport to forward; the folded message is an event. */
  onDelta?: (d: AgentDelta) => void;
  /** Who may run a session's agent: one holder of its lease at a time, across instances. Default: this process only. */
  leases?: Leases;
  /** Stop requests for runs held by another instance. */
  signals?: Signals;
}

/** The lease an instance holds while it runs (or starts) a session's agent. */
export const runLeaseName = (sessionId: string) => `agent-run:${sessionId}`;

export type AgentResult<T = object> = ({ ok: true } & T) | { ok: false; error: string };

export interface Checkpoint { checkpointId: string; runId: string; step: number; label: string; seq: number; createdAt: string }

export interface AgentStatus {
  active: RunSummary | null;
  queued: RunSummary[];
  interrupted: RunSummary[];
  recent: RunSummary[];
  model: { configured: boolean; howTo: string | null };
}

interface ActiveRun { runId: string; controller: AbortController; done: Promise<void> }

type PauseDetail = Omit<EventPayload<'agent.run.paused'>, 'runId' | 'lastStep'>;

/** The abort reason of a paused run: it ends resumable, with why. */
class RunPause {
  constructor(readonly detail: PauseDetail) {}
}

const RECENT_RUNS = 10;
const agentActor: Actor = { kind: 'agent', id: null };
const systemActor: Actor = { kind: 'system', id: null };

export class AgentService {
  private readonly active = new Map<string, ActiveRun>();
  /** Sessions whose next queued run is being looked up, so two lookups never start two runs. */
  private readonly pumping = new Map<string, Promise<void>>();
  private readonly runs: RunStore;
  private readonly deps: LoopDeps;
  private readonly leases: Leases;
  private closing = false;

  constructor(private readonly o: AgentServiceOptions) {
    this.runs = new RunStore(o.db);
    this.leases = o.leases ?? localLeases('local');
    o.signals?.on('agent.stop', (p) => {
      const a = this.active.get((p as { sessionId: string }).sessionId);
      if (a) a.controller.abort(STOP);
    });
    this.deps = {
      events: o.events,
      tools: toolRegistry(o.tools ?? builtinTools),
      // The profile's scope is decided first whatever policy is configured: outside it is denied.
      policy: scopedByProfile(o.policy ?? allowAll),
      approvals: o.approvals ?? noApprovals,
      router: o.router,
      meter: o.meter,
      prompt: o.prompt ?? contextPromptBuilder,
      context: new ContextPipeline({ store: new MemoryStore(o.db, o.events), events: o.events, log: o.log, extraction: o.extraction }),
      maxSteps: o.maxSteps ?? DEFAULT_MAX_STEPS,
      onDelta: o.onDelta,
      log: o.log,
    };
  }

  /** Records the user's message and starts a run for it, or queues it behind the active one. */
  /** profile: the task profile's name (default: build); it applies to this run, and the choice to later ones is the caller's. */
  async send(input: { sessionId: string; userId: string; teamId: string; text: string; profile?: string }): Promise<AgentResult<{ runId: string; status: 'running' | 'queued' }>> {
    const text = input.text.trim();
    if (!text) return { ok: false, error: 'The message is empty.' };
    if (this.closing) return { ok: false, error: 'The server is shutting down; send it again in a moment.' };
    await this.o.events.append(input.sessionId, { type: 'user.message', payload: { text } }, { kind: 'user', id: input.userId });
    const profile = input.profile ?? DEFAULT_PROFILE;
    if (!(await profileFor(this.o.db, input.teamId, profile))) return { ok: false, error: `The team has no task profile named ${profile}.` };
    const run = await this.runs.create({ sessionId: input.sessionId, userId: input.userId, teamId: input.teamId, text, profile });
    const busy = this.active.has(input.sessionId) || this.pumping.has(input.sessionId) || (await this.runs.nextQueued(input.sessionId))?.id !== run.id
      || (await this.leases.holder(runLeaseName(input.sessionId))) !== null;
    if (busy) await this.o.events.append(input.sessionId, { type: 'agent.run.queued', payload: { runId: run.id, text } }, systemActor);
    await this.pump(input.sessionId);
    return { ok: true, runId: run.id, status: this.active.get(input.sessionId)?.runId === run.id ? 'running' : 'queued' };
  }

  /** Stops the active run (Stop button). Queued messages then run in turn. */
  async stop(sessionId: string): Promise<AgentResult> {
    const a = this.active.get(sessionId);
    if (!a) {
      // Running on another instance: ask it to stop; its run.ended event reaches everyone.
      if (this.o.signals && (await this.leases.holder(runLeaseName(sessionId)))) {
        await this.o.signals.send('agent.stop', { sessionId });
        return { ok: true };
      }
      return { ok: false, error: 'The agent is not running in this session.' };
    }
    a.controller.abort(STOP);
    await a.done;
    return { ok: true };
  }

  /**
   * Pauses a run (the anomaly limits do): calls not yet started are not run, and the run ends
   * as "paused", resumable. Does not wait for the run to end, since the run itself may be asking.
   */
  pause(sessionId: string, runId: string, detail: PauseDetail): boolean {
    const a = this.active.get(sessionId);
    if (a?.runId !== runId) return false;
    a.controller.abort(new RunPause(detail));
    return true;
  }

  /** Continues an interrupted, paused or failed run from its last completed step. */
  async resume(sessionId: string, runId: string): Promise<AgentResult> {
    const run = await this.runs.get(runId);
    if (!run || run.sessionId !== sessionId) return { ok: false, error: 'No such run in this session.' };
    if (!['interrupted', 'paused', 'failed'].includes(run.status)) return { ok: false, error: `The run is ${run.status}; only an interrupted, paused or failed run can be resumed.` };
    if (this.active.has(sessionId) || this.pumping.has(sessionId)) return { ok: false, error: 'Another run is active in this session; stop it or wait.' };
    const lease = await this.leases.acquire(runLeaseName(sessionId));
    if (!lease) return { ok: false, error: 'Another run is active in this session (on another server); stop it or wait.' };
    this.start(await this.runs.markRunning(run.id), true, lease);
    return { ok: true };
  }

  /** Restores the workspace to a checkpoint. Refused while a run is active. */
  async rewind(sessionId: string, checkpointId: string, userId: string): Promise<AgentResult> {
    if (this.active.has(sessionId)) return { ok: false, error: 'Stop the agent before rewinding.' };
    const cp = (await this.checkpoints(sessionId)).find((c) => c.checkpointId === checkpointId);
    if (!cp) return { ok: false, error: 'No such checkpoint in this session.' };
    const ws = await this.o.workspaces(sessionId);
    if (!ws) return { ok: false, error: 'This session has no workspace.' };
    await ws.restore(checkpointId);
    await this.o.events.append(sessionId, { type: 'agent.rewind', payload: { checkpointId, label: cp.label } }, { kind: 'user', id: userId });
    return { ok: true };
  }

  async checkpoints(sessionId: string): Promise<Checkpoint[]> {
    const rows = await this.o.db.event.findMany({ where: { sessionId, type: 'agent.checkpoint' }, orderBy: { seq: 'asc' } });
    return rows.map((r) => {
      const p = r.payload as EventPayload<'agent.checkpoint'>;
      return { checkpointId: p.checkpointId, runId: p.runId, step: p.step, label: p.label, seq: r.seq, createdAt: r.createdAt.toISOString() };
    });
  }

  async status(sessionId: string): Promise<AgentStatus> {
    const [open, recent, model] = await Promise.all([
      this.runs.inSession(sessionId, ['running', 'queued', 'interrupted']),
      this.runs.latest(sessionId, RECENT_RUNS),
      this.o.router.status(),
    ]);
    // A run held by another instance is active too: its row says running while its lease is held.
    const activeId = this.active.get(sessionId)?.runId ?? open.find((r) => r.status === 'running')?.id;
    return {
      active: open.filter((r) => r.id === activeId).map(summarize)[0] ?? null,
      queued: open.filter((r) => r.status === 'queued').map(summarize),
      interrupted: open.filter((r) => r.status === 'interrupted').map(summarize),
      recent: recent.map(summarize),
      model: { configured: model.configured, howTo: model.howTo },
    };
  }

  /**
   * At start-up: runs a previous process left running are marked interrupted (the user can
   * resume them), and sessions with only queued runs get going again.
   */
  async recover(): Promise<{ interrupted: number }> {
    const interrupted = await this.sweep();
    for (const { sessionId } of await this.runs.sessionsWithQueued()) {
      if (!(await this.runs.inSession(sessionId, ['interrupted'])).length) await this.pump(sessionId);
    }
    return { interrupted };
  }

  /**
   * Runs marked running whose lease nobody holds lost their instance (a crash, a restart): each
   * becomes interrupted, once — whoever takes the lease first records it. Several instances run
   * this periodically (startSweeps), so a dead instance's runs are marked within a lease's TTL.
   */
  async sweep(): Promise<number> {
    let n = 0;
    for (const r of await this.runs.inFlight()) {
      if (this.active.get(r.sessionId)?.runId === r.id) continue;
      const lease = await this.leases.acquire(runLeaseName(r.sessionId));
      if (!lease) continue;
      try {
        const fresh = await this.runs.get(r.id);
        if (fresh?.status === 'running') { await this.interrupt(fresh); n++; }
      } finally {
        await lease.release();
      }
    }
    return n;
  }

  /** Sweeps every intervalMs until the returned function is called. */
  startSweeps(intervalMs: number): () => void {
    const timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'could not look for runs of a lost instance'));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Resolves when the session has no active or queued run left in this process. */
  async idle(sessionId: string): Promise<void> {
    for (;;) {
      const waiting = this.active.get(sessionId)?.done ?? this.pumping.get(sessionId);
      if (!waiting) return;
      await waiting;
    }
  }

  /** Graceful shutdown: active runs end as interrupted, to be resumed after the restart. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.active.values()];
    all.forEach((a) => a.controller.abort(SHUTDOWN));
    await Promise.all(all.map((a) => a.done));
  }

  private pump(sessionId: string): Promise<void> {
    if (this.closing || this.active.has(sessionId)) return Promise.resolve();
    const existing = this.pumping.get(sessionId);
    if (existing) return existing;
    const p = (async () => {
      try {
        // Another instance running this session's agent starts the queued run when its own ends.
        const lease = await this.leases.acquire(runLeaseName(sessionId));
        if (!lease) return;
        let started = false;
        try {
          const next = await this.runs.nextQueued(sessionId);
          if (next) { this.start(await this.runs.markRunning(next.id), false, lease); started = true; }
        } finally {
          if (!started) await lease.release();
        }
      } finally {
        this.pumping.delete(sessionId);
      }
    })();
    this.pumping.set(sessionId, p);
    return p;
  }

  private start(run: AgentRunRow, resumed: boolean, lease: Lease): void {
    const controller = new AbortController();
    // A lost lease means another instance may take the session over: end here as interrupted.
    const onLost = () => controller.abort(SHUTDOWN);
    lease.lost.addEventListener('abort', onLost, { once: true });
    const done = this.execute(run, resumed, controller.signal)
      .catch((err: unknown) => this.o.log.error({ err: err instanceof Error ? err.message : String(err), runId: run.id }, 'agent run crashed'))
      .finally(async () => {
        lease.lost.removeEventListener('abort', onLost);
        await lease.release();
        this.active.delete(run.sessionId);
        void this.pump(run.sessionId).catch((err: unknown) => this.o.log.error({ err: String(err), sessionId: run.sessionId }, 'could not start the next queued run'));
      });
    this.active.set(run.sessionId, { runId: run.id, controller, done });
  }

  private async execute(run: AgentRunRow, resumed: boolean, signal: AbortSignal): Promise<void> {
    const append = (e: NewEvent) => this.o.events.append(run.sessionId, e, agentActor);
    await append(resumed
      ? { type: 'agent.run.resumed', payload: { runId: run.id, fromStep: run.step } }
      : { type: 'agent.run.started', payload: { runId: run.id, text: run.text, ...(run.profile ? { profile: run.profile } : {}) } });
    let outcome: LoopOutcome;
    let lastStep = run.step;
    const workspace = await this.o.workspaces(run.sessionId);
    // The profile as it is now: an admin's edit applies from the next run (or resume) on.
    const profile = run.profile ? await profileFor(this.o.db, run.teamId, run.profile).catch((err: unknown) => {
      this.o.log.error({ err: err instanceof Error ? err.message : String(err), runId: run.id }, 'task profile could not be loaded');
      return null;
    }) : null;
    if (!workspace) {
      outcome = { outcome: 'error', steps: run.step, message: 'This session has no workspace for the agent to work in.' };
    } else if (run.profile && !profile) {
      outcome = { outcome: 'error', steps: run.step, message: `The ${run.profile} task profile is gone or not valid; pick another profile and send the message again.` };
    } else {
      try {
        outcome = await runLoop(this.deps, {
          sessionId: run.sessionId, runId: run.id, userId: run.userId, teamId: run.teamId,
          workspace: withProfileEgress(workspace, profile), signal, log: new RunLog(await loadAll(this.o.db, run.sessionId)), fromStep: run.step,
          profile, spentTokens: run.inputTokens + run.outputTokens, startedAt: run.startedAt ?? new Date(),
          profileQuota: profile ? () => profileQuotaVerdict(this.o.db, { teamId: run.teamId, userId: run.userId, profile }) : undefined,
          onStep: async (step, usage) => { lastStep = step; await this.runs.step(run.id, step, usage); },
        });
      } catch (err) {
        this.o.log.error({ err: err instanceof Error ? err.stack : String(err), runId: run.id }, 'agent loop failed');
        outcome = { outcome: 'error', steps: lastStep, message: 'The agent hit an internal error; the details are in the server log. You can resume the run.' };
      }
    }
    if (signal.reason === SHUTDOWN) {
      await this.interrupt({ ...run, step: lastStep });
      return;
    }
    if (signal.reason instanceof RunPause) {
      await this.o.events.append(run.sessionId, { type: 'agent.run.paused', payload: { runId: run.id, lastStep, ...signal.reason.detail } }, systemActor);
      await this.runs.end(run.id, 'paused', signal.reason.detail.reason);
      return;
    }
    await append({ type: 'agent.run.ended', payload: { runId: run.id, ...outcome } });
    await this.runs.end(run.id, statusFor(outcome.outcome), outcome.message ?? (outcome.outcome === 'stopped' ? STOP : null));
    agentRunsEnded.inc({ status: statusFor(outcome.outcome) });
  }

  private async interrupt(run: Pick<AgentRunRow, 'id' | 'sessionId' | 'step'>): Promise<void> {
    await this.o.events.append(run.sessionId, { type: 'agent.run.interrupted', payload: { runId: run.id, lastStep: run.step } }, systemActor);
    await this.runs.end(run.id, 'interrupted', `interrupted after step ${run.step}`);
  }
}

async function loadAll(db: Db, sessionId: string): Promise<SessionEvent[]> {
  const all: SessionEvent[] = [];
  for (;;) {
    const page = await listEvents(db, sessionId, all.at(-1)?.seq ?? 0, 1000);
    all.push(...page);
    if (page.length < 1000) return all;
  }
}
