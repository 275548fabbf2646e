// A run's view of its session: the events loaded when it started plus every one it appends,
// so each step builds its prompt and checks idempotency without reading the database again.
import type { EventPayload, SessionEvent } from '../sessions/event-types.ts';

export class RunLog {
  private readonly results = new Map<string, EventPayload<'agent.tool.result'>>();
  private readonly decided = new Set<string>();

  constructor(readonly events: SessionEvent[]) {
    events.forEach((e) => this.index(e));
  }

  push(e: SessionEvent): void {
    this.events.push(e);
    this.index(e);
  }

  resultOf(callId: string): EventPayload<'agent.tool.result'> | undefined {
    return this.results.get(callId);
  }

  /** An allow was recorded for the call: it may have started running. */
  wasAllowed(callId: string): boolean {
    return this.decided.has(callId);
  }

  /** Calls of this run requested but never answered (a step cut short by a restart). */
  pendingCalls(runId: string): EventPayload<'agent.tool.requested'>[] {
    return this.events
      .filter((e) => e.type === 'agent.tool.requested')
      .map((e) => e.payload as EventPayload<'agent.tool.requested'>)
      .filter((p) => p.runId === runId && !this.results.has(p.callId));
  }

  private index(e: SessionEvent) {
    if (e.type === 'agent.tool.result') {
      const p = e.payload as EventPayload<'agent.tool.result'>;
      if (!this.results.has(p.callId)) this.results.set(p.callId, p);
    } else if (e.type === 'agent.policy.decision') {
      const p = e.payload as EventPayload<'agent.policy.decision'>;
      if (p.decision === 'allow') this.decided.add(p.callId);
    }
  }
}
