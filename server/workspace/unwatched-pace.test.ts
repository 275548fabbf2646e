import { describe, expect, it } from 'vitest';
import { HIGH_WATERMARK_CHARS } from './pty-flow.ts';
import { UNWATCHED_CHARS_PER_SECOND, UnwatchedPace } from './unwatched-pace.ts';

describe('UnwatchedPace', () => {
  it('grants a full window at once, then only what the rate has refilled', () => {
    let now = 0;
    const pace = new UnwatchedPace(() => now);
    expect(pace.take(5 * HIGH_WATERMARK_CHARS, 1)).toBe(HIGH_WATERMARK_CHARS);
    expect(pace.take(HIGH_WATERMARK_CHARS, 1)).toBe(0);
    now += 100;
    expect(pace.take(HIGH_WATERMARK_CHARS, 1)).toBe(UNWATCHED_CHARS_PER_SECOND / 10);
  });

  it('grants nothing below the minimum step, and keeps what it did not grant', () => {
    let now = 0;
    const pace = new UnwatchedPace(() => now);
    pace.take(HIGH_WATERMARK_CHARS, 1);
    now += 1; // 2,000 chars refilled: below a 5,000-char step
    expect(pace.take(10_000, 5_000)).toBe(0);
    now += 2;
    expect(pace.take(10_000, 5_000)).toBe(6_000);
  });

  it('never holds more than one window, however long it was idle', () => {
    let now = 0;
    const pace = new UnwatchedPace(() => now);
    now += 3_600_000;
    expect(pace.take(10 * HIGH_WATERMARK_CHARS, 1)).toBe(HIGH_WATERMARK_CHARS);
  });
});
