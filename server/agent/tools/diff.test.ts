import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.ts';

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

describe('unifiedDiff', () => {
  it('gives an edit of several far-apart regions one hunk per region', () => {
    const before = numbered(30);
    const after = [...before];
    after[1] = 'line 2 changed';
    after[14] = 'line 15 changed';
    after.splice(27, 1);
    const diff = unifiedDiff('src/f.ts', `${before.join('\n')}\n`, `${after.join('\n')}\n`);
    expect(diff.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,5 @@', '@@ -12,7 +12,7 @@', '@@ -25,6 +25,5 @@']);
    expect(diff).toContain('-line 2\n+line 2 changed');
    expect(diff).toContain('-line 15\n+line 15 changed');
    expect(diff).toContain(' line 27\n-line 28\n line 29');
    // Nothing between the regions is repeated as a change.
    expect(diff).not.toMatch(/^[-+]line 8$/m);
    expect(diff.startsWith('--- a/src/f.ts\n+++ b/src/f.ts\n')).toBe(true);
  });

  it('is empty for no change and shows a new file as all additions', () => {
    expect(unifiedDiff('a', 'same\n', 'same\n')).toBe('');
    expect(unifiedDiff('n.txt', '', 'one\ntwo\n')).toBe('--- a/n.txt\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+one\n+two');
  });
});
