import { describe, expect, it } from 'vitest';
import { checkpointFor, checkpointSeqs } from '../app/components/share/position.ts';
import { commentsByEvent, toEntry } from '../app/components/share/timeline.ts';
import type { SessionEvent } from '../server/sessions/event-types.ts';

const event = (seq: number, type: string, payload: unknown, actorId: string | null = null, actorKind: 'user' | 'agent' | 'system' = 'user'): SessionEvent => ({
  id: String(seq), sessionId: 's', seq, type: type as SessionEvent['type'], payload, actorKind, actorId, createdAt: new Date(0).toISOString(), prevHash: '', hash: '',
});

describe('the reviewer timeline', () => {
  it('maps a scrubber position to the checkpoint holding its files, or to the workspace now', () => {
    const cps = checkpointSeqs([event(1, 'user.message', {}), event(4, 'agent.checkpoint', {}), event(9, 'agent.checkpoint', {}), event(12, 'agent.message', {})]);
    expect(cps).toEqual([4, 9]);
    expect([0, 1, 4, 5, 9, 10, 12].map((p) => checkpointFor(cps, p))).toEqual([4, 4, 4, 9, 9, null, null]);
    expect(checkpointFor([], 3)).toBeNull();
  });

  it('names who decided an approval, and keeps a diff for the tool result', () => {
    const people = { u1: 'Ada Admin' };
    expect(toEntry(event(5, 'agent.approval.decided', { outcome: 'approved', by: 'u1', reason: 'fine' }, 'u1'), people)).toMatchObject({ title: 'Approval approved by Ada Admin', actor: 'Ada Admin', text: 'fine' });
    const diff = '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b';
    expect(toEntry(event(6, 'agent.tool.result', { tool: 'edit_file', ok: true, output: 'Edited x', detail: { diff } }, null, 'agent'), people)).toMatchObject({ title: 'Tool edit_file done', actor: 'agent', diff, text: null });
    expect(toEntry(event(7, 'memory.added', { text: 'Use cents' }, null, 'system'), people)).toMatchObject({ title: 'Memory added', text: 'Use cents', actor: null });
  });

  it('groups comments under the event they are about', () => {
    const grouped = commentsByEvent([
      event(10, 'comment.added', { commentId: 'c1', eventSeq: 6, diffLine: 5, text: 'why?', author: 'Rita' }),
      event(11, 'comment.added', { commentId: 'c2', eventSeq: 6, diffLine: null, text: 'ok', author: 'Sam' }),
    ]);
    expect(grouped.get(6)?.map((c) => [c.author, c.diffLine])).toEqual([['Rita', 5], ['Sam', null]]);
  });
});
