// The agent loop: prompt → stream the model → run its tool calls in order → repeat, until the
// model ends its turn, the user stops it, the step limit or a budget is reached. Every step is
// recorded as events; the loop knows nothing of HTTP or sockets.
import { startSpan, withContext } from '../telemetry/tracing.ts';
import type { Logger } from '../log.ts';
import { ModelCallError } from '../models/errors.ts';
import type { UsageMeter } from '../models/metering.ts';
import type { ModelRouter } from '../models/router.ts';
import { promptBudget } from '../models/budget.ts';
import { ASSUMED_CONTEXT_TOKENS } from '../models/context-windows.ts';
import type { Actor, EventPayload } from '../sessions/event-types.ts';
import type { EventStream } from '../sessions/stream.ts';
import { countTokens } from './context/tokens.ts';
import { RunLimit } from './run-signals.ts';
import type { SessionContext } from './context/pipeline.ts';
import type { PromptBuilder } from './prompt.ts';
import type { RunLog } from './run-state.ts';
import { offersTool } from './profiles/scope.ts';
import type { RunProfile } from './profiles/spec.ts';
import { toolSpecs, type ToolRegistry } from './tools/registry.ts';
import { executeCall, requestedEvent, type RequestedCall, type ToolCallDeps } from './tool-calls.ts';
import type { AgentWorkspace } from './tools/tool.ts';

/** Live, not stored: the transport forwards these so a reply appears as it is written. */
export type AgentDelta = { sessionId: string; runId: string; step: number; type: 'text'; text: string };

export interface LoopDeps extends ToolCallDeps {
  router: Pick<ModelRouter, 'stream' | 'contextWindow'>;
  meter?: UsageMeter;
  prompt: PromptBuilder;
  /** Memory for the prompt (extraction runs before each model call); none: the prompt has no memory. */
  context?: SessionContext;
  maxSteps: number;
  onDelta?: (d: AgentDelta) => void;
  log: Logger;
}

export interface LoopRun {
  sessionId: string;
  runId: string;
  userId: string;
  teamId: string;
  workspace: AgentWorkspace;
  signal: AbortSignal;
  log: RunLog;
  /** The task profile: which tools are offered, its route chain, its limits; null: every tool, the configured routes. */
  profile: RunProfile | null;
  /** Tokens the run spent before this start (a resumed run), counted against the profile's budget. */
  spentTokens: number;
  /** When the run first started, for the profile's wall-clock limit. */
  startedAt: Date;
  /** The profile's daily quotas for this user and team: why to stop, or null. */
  profileQuota?: () => Promise<string | null>;
  /** Last completed step (0 for a fresh run). */
  fromStep: number;
  /** Called after each completed step, so a restart knows where the run got to. */
  onStep(step: number, usage: { inputTokens: number; outputTokens: number; costUsd: number; route: string }): Promise<void>;
}

export type LoopOutcome = Omit<EventPayload<'agent.run.ended'>, 'runId'>;

const agent: Actor = { kind: 'agent', id: null };

export async function runLoop(deps: LoopDeps, run: LoopRun): Promise<LoopOutcome> {
  const wallClock = wallClockLimit(run);
  try {
    return await loop(deps, { ...run, signal: wallClock.signal });
  } finally {
    wallClock.clear();
  }
}

/** How an aborted run ends: stopped, with the limit as its reason when a limit cut it short. */
function stopped(signal: AbortSignal, steps: number): LoopOutcome {
  return signal.reason instanceof RunLimit ? { outcome: 'stopped', steps, message: signal.reason.message } : { outcome: 'stopped', steps };
}

async function loop(deps: LoopDeps, run: LoopRun): Promise<LoopOutcome> {
  // Tools outside the profile are not even offered; a call to one anyway is denied by its scope.
  const tools = toolSpecs(offered(deps.tools, run.profile));
  const toolNames = Object.keys(tools);
  // Sent beside the prompt on every call, so they come out of every call's budget.
  const toolSchemaTokens = countTokens(JSON.stringify(tools));
  // The server's step limit stays a ceiling: a profile can only lower it.
  const profileSteps = run.profile?.spec.limits.maxSteps ?? Infinity;
  const maxSteps = Math.min(profileSteps, deps.maxSteps);
  const limitNote = profileSteps < deps.maxSteps ? `the ${run.profile!.name} profile's limit` : 'TETHER_AGENT_MAX_STEPS';
  let spent = run.spentTokens;
  let step = run.fromStep;
  const scope = (s: number) => ({ sessionId: run.sessionId, runId: run.runId, userId: run.userId, step: s, workspace: run.workspace, signal: run.signal, log: run.log, profile: run.profile });

  // A step cut short by a restart: answer its calls (idempotently) before asking the model again.
  for (const p of run.log.pendingCalls(run.runId)) {
    await executeCall(deps, scope(p.step), { callId: p.callId, toolName: p.tool, input: p.input });
  }

  for (;;) {
    if (run.signal.aborted) return stopped(run.signal, step);
    if (step >= maxSteps) return { outcome: 'step_limit', steps: step, message: `The run reached the step limit of ${maxSteps} steps (${limitNote}). Send a message to continue.` };
    const overProfile = profileLimit(run, spent);
    if (overProfile) return { outcome: 'budget', steps: step, message: overProfile };
    const overQuota = await run.profileQuota?.();
    if (overQuota) return { outcome: 'quota', steps: step, message: overQuota };
    const window = await deps.router.contextWindow('agent', run.profile?.spec.route.chain);
    const budget = promptBudget(window ?? { tokens: ASSUMED_CONTEXT_TOKENS, source: 'assumed' }, toolSchemaTokens);
    const memory = deps.context ? await deps.context.refresh(run.sessionId, run.log.events, run.signal, run.profile?.spec.route.extraction) : [];
    const prompt = deps.prompt.build({ events: run.log.events, memory, toolNames, budgetTokens: budget.promptTokens });
    // The next call's input counts before it is sent: only its reply can take a budget past its limit.
    const nextInputTokens = prompt.report.totalTokens + toolSchemaTokens;
    const verdict = await deps.meter?.checkQuota({ userId: run.userId, teamId: run.teamId, sessionId: run.sessionId, runId: run.runId }, nextInputTokens);
    if (verdict) return { outcome: verdict.scope === 'run' ? 'budget' : 'quota', steps: step, message: verdict.message };

    step++;
    const traced = startSpan('agent.step', { 'tether.session': run.sessionId, 'tether.run': run.runId, 'tether.step': step });
    try {
      // Recorded with the reply (or with the failure), so every call shows what it was sent and where its budget came from.
      const report = { event: { type: 'agent.prompt.report' as const, payload: {
        runId: run.runId, step, report: prompt.report,
        budget: { route: window?.route ?? null, contextTokens: budget.contextTokens, replyTokens: budget.replyTokens, toolSchemaTokens },
      } }, actor: agent };
      /** The report, then (when a route failed before the one that answered) the failover line. */
      const preface: Parameters<EventStream['appendMany']>[1] = [report];
      let text = '';
      let route = '';
      const calls: RequestedCall[] = [];
      let usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
      try {
        for await (const part of withContext(traced.context, deps.router.stream({
          system: prompt.system, messages: prompt.messages, tools, signal: run.signal, maxOutputTokens: budget.replyTokens, routes: run.profile?.spec.route.chain,
          usage: { userId: run.userId, teamId: run.teamId, sessionId: run.sessionId, runId: run.runId },
        }))) {
          if (part.type === 'route') {
            route = part.route;
            if (part.failedOver.length) preface.push({ event: { type: 'agent.model.failover', payload: { runId: run.runId, step, to: part.route, failed: part.failedOver } }, actor: agent });
          } else if (part.type === 'text-delta') {
            text += part.text;
            deps.onDelta?.({ sessionId: run.sessionId, runId: run.runId, step, type: 'text', text: part.text });
          } else if (part.type === 'tool-call') {
            // A call repeated within one reply is the same call: it runs once.
            if (!calls.some((c) => c.callId === part.callId)) calls.push({ callId: part.callId, toolName: part.toolName, input: part.input, inputError: part.inputError });
          } else usage = part.usage;
        }
      } catch (err) {
        if (!(err instanceof ModelCallError)) throw err;
        // What was streamed before a failure or a Stop is kept, not silently lost.
        const kept = await deps.events.appendMany(run.sessionId, [...preface, ...(text ? [{ event: { type: 'agent.message' as const, payload: { runId: run.runId, step, text, route } }, actor: agent }] : [])]);
        kept.forEach((e) => run.log.push(e));
        if (err.kind === 'aborted') return stopped(run.signal, step - 1);
        if (err.kind === 'not_configured') return { outcome: 'not_configured', steps: step - 1, message: err.message };
        return { outcome: 'error', steps: step - 1, message: err.message };
      }

      // The reply, its usage and every call it asks for are recorded together, before any call runs.
      const recorded = await deps.events.appendMany(run.sessionId, [
        ...preface,
        ...(text ? [{ event: { type: 'agent.message' as const, payload: { runId: run.runId, step, text, route } }, actor: agent }] : []),
        { event: { type: 'agent.usage', payload: { runId: run.runId, step, route, ...usage } }, actor: agent },
        ...calls.map((c) => requestedEvent(deps, { runId: run.runId, step }, c)),
      ]);
      recorded.forEach((e) => run.log.push(e));
      spent += usage.inputTokens + usage.outputTokens;
      for (const c of calls) await executeCall(deps, scope(step), c);
      await run.onStep(step, { ...usage, route });
      if (!calls.length) return { outcome: 'completed', steps: step };
    } finally {
      traced.span.end();
    }
  }
}

function offered(registry: ToolRegistry, profile: RunProfile | null): ToolRegistry {
  if (!profile) return registry;
  return new Map([...registry].filter(([name]) => offersTool(profile.spec, name)));
}

/** Why the run must stop under its profile's token budget, or null. */
function profileLimit(run: LoopRun, spent: number): string | null {
  const limits = run.profile?.spec.limits;
  if (!limits || limits.tokenBudget === null || spent < limits.tokenBudget) return null;
  return `The run used ${spent} tokens, the ${run.profile!.name} profile's budget of ${limits.tokenBudget}. Send a message to continue.`;
}

/**
 * The run's signal, aborted with a RunLimit when the profile's wall clock runs out: a long
 * tool call or model reply is cut short there, not after it ends.
 */
function wallClockLimit(run: LoopRun): { signal: AbortSignal; clear(): void } {
  const seconds = run.profile?.spec.limits.wallClockSeconds ?? null;
  if (seconds === null) return { signal: run.signal, clear: () => {} };
  const limit = new AbortController();
  const reason = new RunLimit(`The run reached the ${run.profile!.name} profile's wall-clock limit of ${seconds} s. Send a message to continue.`);
  const left = run.startedAt.getTime() + seconds * 1000 - Date.now();
  if (left <= 0) limit.abort(reason);
  const timer = left > 0 ? setTimeout(() => limit.abort(reason), left) : undefined;
  return { signal: AbortSignal.any([run.signal, limit.signal]), clear: () => clearTimeout(timer) };
}
