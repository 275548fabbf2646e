// The agent panel's diff display: a unified diff's two sides for Monaco's diff editor, and the
// rewind notice's wording.
import { describe, expect, it } from 'vitest';
import { diffSides, SKIPPED } from '../app/components/agent/diff-sides.ts';
import { transcript } from '../app/components/agent/transcript.ts';
import type { SessionEvent } from '../server/sessions/event-types.ts';

describe('diffSides', () => {
  it('puts context on both sides, removals left, additions right, and marks the gap between hunks', () => {
    const unified = ['--- a/x.ts', '+++ b/x.ts', '@@ -1,3 +1,3 @@', ' a', '-b', '+B', ' c', '@@ -10,2 +10,3 @@', ' j', '+k', ' l', '\\ No newline at end of file'].join('\n');
    expect(diffSides(unified)).toEqual({
      original: ['a', 'b', 'c', SKIPPED, 'j', 'l'].join('\n'),
      modified: ['a', 'B', 'c', SKIPPED, 'j', 'k', 'l'].join('\n'),
    });
  });

  it('keeps lines that look like headers inside a hunk', () => {
    expect(diffSides('--- a/x\n+++ b/x\n@@ -1 +1 @@\n--- x\n+++ y')).toEqual({ original: '-- x', modified: '++ y' });
  });
});

describe('the rewind notice', () => {
  it('names the checkpoint once, without doubling its "before"', () => {
    const items = transcript([{
      id: 'e1', sessionId: 's', seq: 1, type: 'agent.rewind', payload: { checkpointId: 'c1', label: 'before run_command npm test' },
      actorKind: 'user', actorId: 'u', createdAt: new Date(0).toISOString(), prevHash: 'p', hash: 'h',
    } satisfies SessionEvent]);
    expect(items).toEqual([expect.objectContaining({ kind: 'notice', text: 'Rewound the files to the checkpoint “before run_command npm test”.' })]);
  });
});
