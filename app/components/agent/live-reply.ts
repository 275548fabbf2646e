// The agent's reply while it streams: deltas (agent:delta for members, share:agent:delta for
// viewers) folded into the text of one step, replaced by the recorded message once it arrives.
import type { SessionEvent } from '../../../server/realtime/protocol.ts';

export interface LiveReply { runId: string; step: number; text: string }

/** Adds a delta: to the same step's text, or starting a new step's. */
export function foldDelta(current: LiveReply | null, d: LiveReply): LiveReply {
  return current && current.runId === d.runId && current.step === d.step ? { ...current, text: current.text + d.text } : { runId: d.runId, step: d.step, text: d.text };
}

/** True once the step's whole message is an event: the live text has served its purpose. */
export function replyRecorded(live: LiveReply, events: SessionEvent[]): boolean {
  return events.some((e) => e.type === 'agent.message' && (e.payload as LiveReply).runId === live.runId && (e.payload as LiveReply).step === live.step);
}
