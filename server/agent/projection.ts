// What the model sees is a read-only projection of the session's event log: each run is the
// user's message, then per step the assistant's text and tool calls, then the tool results —
// each result marked as untrusted data (untrusted.ts), since it may carry text someone planted.
import type { ModelMessage } from 'ai';
import type { EventPayload, SessionEvent } from '../sessions/event-types.ts';
import { markUntrusted } from './untrusted.ts';

type AssistantPart = { type: 'text'; text: string } | { type: 'tool-call'; toolCallId: string; toolName: string; input: unknown };
type ResultPart = { type: 'tool-result'; toolCallId: string; toolName: string; output: { type: 'text' | 'error-text'; value: string } };

export interface ProjectedTurn {
  runId: string;
  /** seqs of the events that opened and last added to this turn, for budgeting and reports. */
  firstSeq: number;
  lastSeq: number;
  messages: ModelMessage[];
  /** Per tool call: the seq of its result event and what it asked for, so a masked output can say how to get it again. */
  calls: Map<string, { resultSeq: number | null; input: unknown }>;
}

/**
 * The part (or user message) each event becomes, made once per event: the prompt is rebuilt
 * every step from the same event objects, and reusing the parts lets the prompt builder cache
 * their token counts by identity instead of re-reading their text.
 */
const made = new WeakMap<SessionEvent, object>();
function once<T extends object>(e: SessionEvent, make: () => T): T {
  let x = made.get(e) as T | undefined;
  if (!x) made.set(e, (x = make()));
  return x;
}

/** Messages per run, oldest first. Calls left without a result (an abandoned run) get one, so the transcript stays valid. */
export function projectRuns(events: readonly SessionEvent[]): ProjectedTurn[] {
  const runs: ProjectedTurn[] = [];
  const byRun = new Map<string, { turn: ProjectedTurn; assistant: AssistantPart[] | null; step: number; results: ResultPart[]; open: Map<string, string> }>();

  const flush = (r: NonNullable<ReturnType<typeof byRun.get>>) => {
    if (!r.assistant) return;
    r.turn.messages.push({ role: 'assistant', content: r.assistant } as ModelMessage);
    for (const [callId, toolName] of r.open) {
      if (!r.results.some((x) => x.toolCallId === callId)) {
        r.results.push({ type: 'tool-result', toolCallId: callId, toolName, output: { type: 'error-text', value: 'Not run: the run ended before this call.' } });
      }
    }
    if (r.results.length) r.turn.messages.push({ role: 'tool', content: r.results } as ModelMessage);
    r.assistant = null;
    r.results = [];
    r.open = new Map();
  };
  const atStep = (runId: string, step: number) => {
    const r = byRun.get(runId);
    if (!r) return null;
    if (r.step !== step) { flush(r); r.step = step; }
    r.assistant ??= [];
    return r;
  };

  for (const e of events) {
    switch (e.type) {
      case 'agent.run.started': {
        const p = e.payload as EventPayload<'agent.run.started'>;
        const turn: ProjectedTurn = { runId: p.runId, firstSeq: e.seq, lastSeq: e.seq, messages: [once(e, () => ({ role: 'user', content: p.text }) as ModelMessage)], calls: new Map() };
        runs.push(turn);
        byRun.set(p.runId, { turn, assistant: null, step: 0, results: [], open: new Map() });
        break;
      }
      case 'agent.message': {
        const p = e.payload as EventPayload<'agent.message'>;
        const r = atStep(p.runId, p.step);
        if (r && p.text) { r.assistant!.push(once(e, () => ({ type: 'text' as const, text: p.text }))); r.turn.lastSeq = e.seq; }
        break;
      }
      case 'agent.tool.requested': {
        const p = e.payload as EventPayload<'agent.tool.requested'>;
        const r = atStep(p.runId, p.step);
        if (!r) break;
        r.assistant!.push(once(e, () => ({ type: 'tool-call' as const, toolCallId: p.callId, toolName: p.tool, input: p.input ?? {} })));
        r.open.set(p.callId, p.tool);
        r.turn.calls.set(p.callId, { resultSeq: null, input: p.input });
        r.turn.lastSeq = e.seq;
        break;
      }
      case 'agent.tool.result': {
        const p = e.payload as EventPayload<'agent.tool.result'>;
        const r = byRun.get(p.runId);
        if (!r?.open.has(p.callId) || r.results.some((x) => x.toolCallId === p.callId)) break;
        r.results.push(once(e, () => ({ type: 'tool-result' as const, toolCallId: p.callId, toolName: p.tool, output: { type: p.ok ? 'text' as const : 'error-text' as const, value: markUntrusted(p.tool, p.output) } })));
        r.turn.calls.get(p.callId)!.resultSeq = e.seq;
        r.turn.lastSeq = e.seq;
        break;
      }
    }
  }
  for (const r of byRun.values()) flush(r);
  return runs;
}
