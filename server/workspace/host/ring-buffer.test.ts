import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.mjs';

describe('RingBuffer', () => {
  it('returns exactly the bytes after an offset', () => {
    const r = new RingBuffer(100);
    r.append(Buffer.from('hello '));
    const mark = r.end;
    r.append(Buffer.from('world'));
    const s = r.since(mark);
    expect(s).toMatchObject({ start: 6, end: 11, missed: 0 });
    expect(s.data.toString()).toBe('world');
    expect(r.since(r.end).data.length).toBe(0);
    expect(r.since(999).data.length).toBe(0);
  });

  it('drops the oldest bytes and reports how many were missed', () => {
    const r = new RingBuffer(10);
    for (let i = 0; i < 5; i++) r.append(Buffer.from('abcd'));
    expect(r.start).toBe(10);
    const s = r.since(3);
    expect(s).toMatchObject({ start: 10, end: 20, missed: 7 });
    expect(s.data.toString()).toBe('cdabcdabcd');
  });

  it('never starts a truncated slice inside a UTF-8 character', () => {
    const r = new RingBuffer(4);
    r.append(Buffer.from('aé✓')); // 1 + 2 + 3 bytes: keeping 4 cuts é in half
    const s = r.since(0);
    expect(s.data.toString()).toBe('✓');
    expect(s.start).toBe(3);
    expect(s.missed).toBe(3);
  });
});
