/** Growing delays, never a lockout: past `free` failures in the window, each failure doubles the wait, up to `maxMs`. */
export interface ThrottlePolicy { free: number; baseMs: number; maxMs: number; windowMs: number }

/** Failures per key in a sliding window; memory is bounded by pruning expired keys. */
export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly policy: ThrottlePolicy, private readonly now = () => Date.now()) {}

  /** Milliseconds until the key may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    const over = recent.length - this.policy.free;
    if (over < 0) return 0;
    const delay = Math.min(this.policy.baseMs * 2 ** over, this.policy.maxMs);
    return Math.max(0, recent.at(-1)! + delay - this.now());
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent);
    if (this.failures.size > 10_000) this.prune();
  }

  reset(key: string): void { this.failures.delete(key); }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.policy.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > cutoff);
  }

  private prune(): void {
    for (const key of [...this.failures.keys()]) if (this.recent(key).length === 0) this.failures.delete(key);
  }
}
