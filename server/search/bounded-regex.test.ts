import { describe, expect, it } from 'vitest';
import { matchLinesBounded, RegexTimeoutError, replaceLinesBounded } from './bounded-regex.ts';

const evil = `${'a'.repeat(40)}!`;

describe('a regular expression in its worker', () => {
  it('matches and replaces line by line, as the search panel shows them', async () => {
    expect(await matchLinesBounded('one fish\r\ntwo fish\nred', 'f(i)sh', 'g')).toEqual([
      { line: 1, text: 'one fish', ranges: [[4, 8]] },
      { line: 2, text: 'two fish', ranges: [[4, 8]] },
    ]);
    expect(await replaceLinesBounded('a1 b2\r\nc', '([a-z])(\\d)', 'g', '$2$1', true)).toEqual({
      text: '1a 2b\r\nc', replacements: 2, lines: [{ line: 1, before: 'a1 b2', after: '1a 2b' }],
    });
    expect(await replaceLinesBounded('x', 'y', 'g', 'z', false)).toBeNull();
  });

  it('stops a pattern that backtracks without end, while the server keeps serving, and works again after', async () => {
    let ticks = 0;
    const tick = setInterval(() => { ticks++; }, 10);
    const started = Date.now();
    const err = await matchLinesBounded(evil, '(a+)+$', 'g', 300).catch((e: unknown) => e);
    clearInterval(tick);
    expect(err).toBeInstanceOf(RegexTimeoutError);
    expect((err as Error).message).toMatch(/simplify it/);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The event loop ran all along: ~30 ticks in 300 ms.
    expect(ticks).toBeGreaterThan(10);
    expect(await matchLinesBounded('aaa', 'a+', 'g')).toEqual([{ line: 1, text: 'aaa', ranges: [[0, 3]] }]);
  });

  it('counts the limit from when a request runs, not while it waits behind another', async () => {
    // ~0.7 s of backtracking on a quiet machine, more than the second request's whole limit.
    const [first, second] = await Promise.all([
      matchLinesBounded('x'.repeat(24), '(x+x+)+y', 'g', 20_000),
      matchLinesBounded('plain', 'plain', 'g', 300),
    ]);
    expect(first).toEqual([]);
    expect(second).toEqual([{ line: 1, text: 'plain', ranges: [[0, 5]] }]);
  });
});
