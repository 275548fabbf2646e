// The browser's terminal write path (app/lib/terminal-output.ts) against a sink that parses
// when told to, as xterm.js does on its own schedule.
import { describe, expect, it } from 'vitest';
import { TerminalOutput, TRUNCATION_NOTE, type OutputChunk } from '../app/lib/terminal-output.ts';

function setup(maxHiddenChars = 100) {
  const writes: string[] = [];
  const pending: (() => void)[] = [];
  const consumed: number[] = [];
  const overflows: number[] = [];
  const output = new TerminalOutput(
    { write: (data, parsed) => { writes.push(data); pending.push(parsed); } },
    { maxHiddenChars, onConsumed: (chars) => consumed.push(chars), onOverflow: () => overflows.push(consumed.length) },
  );
  let offset = 0;
  const chunk = (data: string, extra: Partial<OutputChunk> = {}): OutputChunk => {
    const c = { start: offset, end: offset + data.length, data, ...extra };
    offset = c.end;
    return c;
  };
  const parseAll = () => { while (pending.length) pending.shift()!(); };
  return { output, writes, pending, consumed, overflows, chunk, parseAll };
}

describe('TerminalOutput', () => {
  it('writes a chunk at once when xterm is idle', () => {
    const t = setup();
    t.output.push(t.chunk('a'));
    expect(t.writes).toEqual(['a']);
    t.parseAll();
    t.output.push(t.chunk('b'));
    expect(t.writes).toEqual(['a', 'b']);
    expect(t.consumed).toEqual([1]);
  });

  it('merges chunks that arrive while xterm is parsing into one write', () => {
    const t = setup();
    t.output.push(t.chunk('one '));
    t.output.push(t.chunk('two '));
    t.output.push(t.chunk('three'));
    expect(t.writes).toEqual(['one ']);
    t.parseAll();
    expect(t.writes).toEqual(['one ', 'two three']);
    expect(t.consumed).toEqual([4, 9]);
    expect(t.output.resumeOffset).toBe(13);
  });

  it('skips chunks it already has and live chunks that race a re-read', () => {
    const t = setup();
    const first = t.chunk('hello');
    t.output.push(first);
    t.output.push(first);
    t.output.push({ start: 9, end: 12, data: 'gap' });
    t.parseAll();
    expect(t.writes).toEqual(['hello']);
  });

  it('notes truncated scrollback before the replay', () => {
    const t = setup();
    t.output.push({ start: 500, end: 503, data: 'end', truncated: true });
    expect(t.writes).toEqual([`${TRUNCATION_NOTE}end`]);
  });

  it('holds output while hidden and writes it in one piece when shown', () => {
    const t = setup();
    t.output.hide();
    t.output.push(t.chunk('ab'));
    t.output.push(t.chunk('cd'));
    expect(t.writes).toEqual([]);
    expect(t.output.show()).toBeUndefined();
    expect(t.writes).toEqual(['abcd']);
    t.parseAll();
    expect(t.consumed).toEqual([4]);
  });

  it('drops held output past the bound, acknowledges it, and asks to re-read from the last byte written', () => {
    const t = setup(10);
    t.output.push(t.chunk('seen'));
    t.parseAll();
    t.output.hide();
    t.output.push(t.chunk('12345678'));
    t.output.push(t.chunk('overflowing'));
    t.output.push(t.chunk('more'));
    expect(t.writes).toEqual(['seen']);
    expect(t.consumed).toEqual([4, 19, 4]);
    // Asked once, at the first drop, to stop the stream: the rest is re-read when shown.
    expect(t.overflows).toEqual([2]);
    expect(t.output.show()).toEqual({ rereadFrom: 4 });
    expect(t.output.resumeOffset).toBe(4);
    // The re-read's replay is accepted; live output from before the re-attach is not.
    t.output.push({ start: 27, end: 30, data: 'old' });
    t.output.push({ start: 4, end: 27, data: '12345678overflowingmore' });
    expect(t.writes).toEqual(['seen', '12345678overflowingmore']);
    // Hidden again and overflowing again: asked again.
    t.output.hide();
    t.output.push(t.chunk('0123456789ab'));
    expect(t.overflows).toEqual([2, 4]);
  });

  it('re-reads everything the server holds when nothing was written before the drop', () => {
    const t = setup(3);
    t.output.hide();
    t.output.push(t.chunk('too long'));
    expect(t.output.show()).toEqual({ rereadFrom: null });
    expect(t.output.resumeOffset).toBeNull();
  });
});
