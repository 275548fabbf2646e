// How fast a terminal nobody watches may run. Its output still reaches this server (which reads
// the shell's reports out of it) and the host's ring buffer (what a browser sees on attach), but
// no browser paces it, so `yes` or a `cat` of a large file would otherwise take a core of the
// host and of this server for as long as it runs, at the cost of every terminal the user does
// watch (issue 12: a flood in a hidden tab must not slow the visible one's echo). Like tmux,
// which rate-limits output to clients, an unwatched terminal is paced: acknowledgements to the
// host are drawn from a bucket refilled at UNWATCHED_CHARS_PER_SECOND, and the host pauses the
// pty (pty-flow.ts) until more are given. The rate is far above what builds, tests and servers
// print, so only floods ever wait; a full bucket lets a burst of a whole flow-control window
// through at once.
import { HIGH_WATERMARK_CHARS } from './pty-flow.ts';

export const UNWATCHED_CHARS_PER_SECOND = 2_000_000;
/** Granularity of the refill while output waits for it. */
export const UNWATCHED_TICK_MS = 50;

export class UnwatchedPace {
  private tokens = HIGH_WATERMARK_CHARS;
  private at: number;

  constructor(private readonly now: () => number = performance.now.bind(performance)) {
    this.at = now();
  }

  /** Up to `wanted` characters that may be acknowledged now, or none below `atLeast`; what is granted is spent. */
  take(wanted: number, atLeast: number): number {
    const now = this.now();
    this.tokens = Math.min(HIGH_WATERMARK_CHARS, this.tokens + ((now - this.at) * UNWATCHED_CHARS_PER_SECOND) / 1000);
    this.at = now;
    const granted = Math.min(wanted, Math.floor(this.tokens));
    if (granted < atLeast) return 0;
    this.tokens -= granted;
    return granted;
  }
}
