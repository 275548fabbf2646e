// Builds SessionEvent logs in memory, in the app's own shapes, for context-pipeline tests and
// the context benchmark: a user message and the agent run it starts, steps with tool calls and
// results, test runs, and the run's end.
import type { ActorKind, EventPayload, EventType, SessionEvent } from '../../server/sessions/event-types.ts';

export class SessionLog {
  readonly events: SessionEvent[] = [];
  private runs = 0;
  private calls = 0;

  push<T extends EventType>(type: T, payload: EventPayload<T>, actorKind: ActorKind = 'system'): SessionEvent {
    const seq = this.events.length + 1;
    const e: SessionEvent = { id: `e${seq}`, sessionId: 's', seq, type, payload, actorKind, actorId: actorKind === 'user' ? 'u1' : null, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), prevHash: '', hash: '' };
    this.events.push(e);
    return e;
  }

  /** A user message and the run it starts; returns the run. */
  say(text: string): Run {
    this.push('user.message', { text }, 'user');
    const runId = `r${++this.runs}`;
    this.push('agent.run.started', { runId, text });
    return new Run(this, runId, () => `call${++this.calls}`);
  }
}

export class Run {
  private step = 0;
  constructor(private readonly log: SessionLog, readonly runId: string, private readonly nextCall: () => string) {}

  reply(text: string): this {
    this.log.push('agent.message', { runId: this.runId, step: ++this.step, text, route: 'openai:m' }, 'agent');
    return this;
  }

  /** One step with one tool call and its result; returns the result event's seq. */
  tool(tool: string, input: Record<string, unknown>, output: string, o: { ok?: boolean; detail?: Record<string, string | number | boolean> } = {}): number {
    const callId = this.nextCall();
    const step = ++this.step;
    this.log.push('agent.tool.requested', { runId: this.runId, step, callId, tool, input: input as never }, 'agent');
    return this.log.push('agent.tool.result', { runId: this.runId, callId, tool, ok: o.ok ?? true, output, durationMs: 5, ...(o.detail ? { detail: o.detail } : {}) }).seq;
  }

  tests(passed: boolean, lines: string[] = []): number {
    return this.tool('run_tests', {}, [`${passed ? 'PASSED' : 'FAILED'}: npm test`, ...lines, `exit code ${passed ? 0 : 1}`].join('\n'), { detail: { passed, command: 'npm test' } });
  }

  end(outcome: EventPayload<'agent.run.ended'>['outcome'] = 'completed'): number {
    return this.log.push('agent.run.ended', { runId: this.runId, outcome, steps: this.step }).seq;
  }
}
