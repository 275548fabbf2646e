// One tool call, from request to recorded result: idempotent by call id, decided by the
// policy, checkpointed before anything that can change files, and always ending in a result.
import type { Logger } from '../log.ts';
import type { Actor, NewEvent } from '../sessions/event-types.ts';
import type { EventStream } from '../sessions/stream.ts';
import type { ApprovalGate, PolicyDecision, PolicyHook } from './policy.ts';
import { offersTool } from './profiles/scope.ts';
import type { RunProfile } from './profiles/spec.ts';
import type { RunLog } from './run-state.ts';
import { RunLimit, SHUTDOWN } from './run-signals.ts';
import type { ToolRegistry } from './tools/registry.ts';
import { invokeTool, type AgentWorkspace, type ToolResult } from './tools/tool.ts';

export interface ToolCallDeps {
  events: EventStream;
  tools: ToolRegistry;
  policy: PolicyHook;
  approvals: ApprovalGate;
  log: Logger;
}

export interface CallScope {
  sessionId: string;
  runId: string;
  userId: string;
  step: number;
  workspace: AgentWorkspace;
  signal: AbortSignal;
  log: RunLog;
  profile: RunProfile | null;
}

export interface RequestedCall { callId: string; toolName: string; input: unknown; inputError?: string }

const agent: Actor = { kind: 'agent', id: null };
const MUTATING = new Set(['write', 'exec', 'vcs']);

/**
 * The request event of a call. Recorded apart from execution, so a step records all its calls
 * (together with the model's message and usage) before any of them runs.
 */
export function requestedEvent(deps: Pick<ToolCallDeps, 'tools'>, s: Pick<CallScope, 'runId' | 'step'>, c: RequestedCall): { event: NewEvent; actor: Actor } {
  const tool = deps.tools.get(c.toolName);
  const parsed = tool?.input.safeParse(c.input);
  const highRisk = tool && parsed?.success ? tool.highRisk?.(parsed.data) ?? null : null;
  return {
    event: {
      type: 'agent.tool.requested',
      payload: { runId: s.runId, step: s.step, callId: c.callId, tool: c.toolName, input: jsonSafe(c.input), effect: tool?.effect, ...(highRisk ? { highRisk } : {}) },
    },
    actor: agent,
  };
}

export async function executeCall(deps: ToolCallDeps, s: CallScope, c: RequestedCall): Promise<void> {
  const started = Date.now();
  const finish = async (result: ToolResult) => {
    s.log.push(await deps.events.append(s.sessionId, {
      type: 'agent.tool.result',
      payload: {
        runId: s.runId, callId: c.callId, tool: c.toolName, ok: result.ok,
        output: result.ok ? result.output : result.error,
        ...(result.detail ? { detail: jsonSafe(result.detail) as Record<string, never> } : {}),
        durationMs: Date.now() - started,
      },
    }, agent));
  };

  // Re-delivered call id: the recorded result stands and is repeated for this step, so the
  // transcript pairs every call with a result; nothing runs twice.
  const earlier = s.log.resultOf(c.callId);
  if (earlier) {
    return finish(earlier.ok
      ? { ok: true, output: earlier.output, detail: { ...earlier.detail, reused: true } }
      : { ok: false, error: earlier.output, detail: { ...earlier.detail, reused: true } });
  }
  if (s.log.wasAllowed(c.callId)) {
    // Allowed before a restart but no result recorded: it may have run, partly or fully.
    return finish({ ok: false, error: 'This call was interrupted by a server restart while it ran; it may have partly run. Check the workspace before retrying it.' });
  }
  const tool = deps.tools.get(c.toolName);
  if (!tool) return finish({ ok: false, error: `There is no tool named ${c.toolName}. Available: ${[...deps.tools.keys()].join(', ')}.` });
  // A tool the profile does not offer is refused by the SDK as an input error; it goes to the
  // policy instead, so the denial is the profile scope's and is recorded like every decision.
  const offered = !s.profile || offersTool(s.profile.spec, tool.name);
  if (c.inputError && offered) return finish({ ok: false, error: `The arguments for ${c.toolName} were not valid JSON (${c.inputError}). Call it again with a JSON object.` });
  // A shutdown leaves the call unanswered, so the resumed run delivers it again.
  if (s.signal.aborted) {
    if (s.signal.reason === SHUTDOWN) return;
    return finish({ ok: false, error: s.signal.reason instanceof RunLimit ? `Not run: ${s.signal.reason.message}` : 'Not run: the user stopped the agent.' });
  }

  const parsed = tool.input.safeParse(c.input);
  const call = { sessionId: s.sessionId, runId: s.runId, userId: s.userId, profile: s.profile, tool, input: c.input, highRisk: parsed.success ? tool.highRisk?.(parsed.data) ?? null : null };
  let decision = await deps.policy.decide(call);
  if (decision.decision === 'ask') {
    await appendDecision(deps, s, c.callId, decision);
    const answer = await deps.approvals.request({ ...call, callId: c.callId, decision }, s.signal);
    // Shut down while waiting: the approval stays pending and the resumed run asks for it again.
    if (s.signal.reason === SHUTDOWN) return;
    decision = { ...decision, decision: answer.granted ? 'allow' : 'deny', reason: answer.reason, by: answer.by ?? 'approval' };
  }
  await appendDecision(deps, s, c.callId, decision);
  if (decision.decision === 'deny') return finish({ ok: false, error: `Not run: denied (${decision.reason}).` });

  if (MUTATING.has(tool.effect)) await checkpoint(deps, s, c, tool.name);
  const record = async (event: NewEvent) => { s.log.push(await deps.events.append(s.sessionId, event, agent)); };
  const result = await invokeTool(tool, c.input, { workspace: s.workspace, signal: s.signal, sessionId: s.sessionId, callId: c.callId, record });
  // A limit that cut the call short is named on it, so the transcript says why it ended there.
  if (s.signal.reason instanceof RunLimit) return finish({ ok: false, error: `Cut short: ${s.signal.reason.message}\n${result.ok ? result.output : result.error}`, detail: result.detail });
  await finish(result);
}

async function appendDecision(deps: ToolCallDeps, s: CallScope, callId: string, d: PolicyDecision) {
  s.log.push(await deps.events.append(s.sessionId, { type: 'agent.policy.decision', payload: { runId: s.runId, callId, ...d } }, { kind: 'system', id: null }));
}

async function checkpoint(deps: ToolCallDeps, s: CallScope, c: RequestedCall, toolName: string) {
  const started = Date.now();
  const label = `before ${toolName} (step ${s.step})`;
  try {
    const snap = await s.workspace.snapshot(label);
    s.log.push(await deps.events.append(s.sessionId, {
      type: 'agent.checkpoint',
      payload: { runId: s.runId, step: s.step, callId: c.callId, checkpointId: snap.id, label, durationMs: Date.now() - started },
    }, agent));
  } catch (err) {
    // The call still runs: the user loses the rewind point for it, and is told so.
    const message = err instanceof Error ? err.message : String(err);
    deps.log.warn({ err: message, sessionId: s.sessionId }, 'checkpoint failed');
    s.log.push(await deps.events.append(s.sessionId, { type: 'error', payload: { message: `No checkpoint before ${toolName}: ${message}`, source: 'checkpoint' } }, agent));
  }
}

/** Event payloads are JSON: drop what JSON cannot carry (undefined, functions). */
function jsonSafe(v: unknown): never {
  return (v === undefined ? null : JSON.parse(JSON.stringify(v))) as never;
}
