// The agent's streaming text (app/components/agent/live-reply.ts), shared by the agent panel and
// the share viewer: deltas fold per step, and the recorded message ends the live text.
import { describe, expect, it } from 'vitest';
import { foldDelta, replyRecorded } from '../app/components/agent/live-reply.ts';
import type { SessionEvent } from '../server/realtime/protocol.ts';

const message = (runId: string, step: number): SessionEvent => ({
  id: 'e1', sessionId: 's', seq: 9, type: 'agent.message', actorKind: 'agent', actorId: null, createdAt: new Date(0).toISOString(),
  payload: { runId, step, text: 'whole', route: 'r' }, prevHash: '', hash: '',
});

describe('live reply', () => {
  it('appends deltas of one step and starts over on the next step or run', () => {
    let live = foldDelta(null, { runId: 'r1', step: 1, text: 'Read' });
    live = foldDelta(live, { runId: 'r1', step: 1, text: 'ing' });
    expect(live).toEqual({ runId: 'r1', step: 1, text: 'Reading' });
    expect(foldDelta(live, { runId: 'r1', step: 2, text: 'Next' })).toEqual({ runId: 'r1', step: 2, text: 'Next' });
    expect(foldDelta(live, { runId: 'r2', step: 1, text: 'Other' })).toEqual({ runId: 'r2', step: 1, text: 'Other' });
  });

  it('is recorded only once the same run and step has its message event', () => {
    const live = { runId: 'r1', step: 1, text: 'Reading' };
    expect(replyRecorded(live, [message('r1', 2), message('r0', 1)])).toBe(false);
    expect(replyRecorded(live, [message('r1', 1)])).toBe(true);
  });
});
