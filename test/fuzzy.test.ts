// Quick open's matcher (app/lib/fuzzy.ts). Here rather than beside it: Vitest runs server/,
// scripts/ and test/.
import { describe, expect, it } from 'vitest';
import { fuzzyFilter, fuzzyMatch } from '../app/lib/fuzzy.ts';

const files = ['src/server/http.ts', 'src/components/SessionView.tsx', 'src/components/ide/StatusBar.tsx', 'docs/status.md', 'README.md', 'src/lib/strings.ts'];

describe('fuzzyMatch', () => {
  it('matches a subsequence case-insensitively and says where', () => {
    expect(fuzzyMatch('sbar', 'src/components/ide/StatusBar.tsx')?.positions.map((i) => 'src/components/ide/StatusBar.tsx'[i]).join('')).toBe('SBar');
    expect(fuzzyMatch('xyz', 'src/server/http.ts')).toBeNull();
    expect(fuzzyMatch('ts', 'st')).toBeNull();
  });
});

describe('fuzzyFilter', () => {
  it('ranks word-start and file-name matches first', () => {
    expect(fuzzyFilter('sb', files).map((m) => m.path)[0]).toBe('src/components/ide/StatusBar.tsx');
    expect(fuzzyFilter('sessv', files).map((m) => m.path)).toEqual(['src/components/SessionView.tsx']);
    expect(fuzzyFilter('status', files).map((m) => m.path)).toEqual(['docs/status.md', 'src/components/ide/StatusBar.tsx']);
    expect(fuzzyFilter('readme', files).map((m) => m.path)).toEqual(['README.md']);
  });

  it('keeps every path, shortest first, for an empty query, up to the limit', () => {
    expect(fuzzyFilter('', files, 2)).toHaveLength(2);
  });
});
