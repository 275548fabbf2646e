// Growing delays, never a lockout: past `free` failures in the window, each failure doubles the wait, up to `maxMs`.
export interface ThrottlePolicy { free: number; baseMs: number; maxMs: number; windowMs: number }

/**
 * Where failure times are kept: in memory for one instance, in Redis (redis-failure-log.ts) so
 * that several instances throttle together. Times are passed in, so the policy owns the clock.
 */
export interface FailureLog {
  /** Failure times after `since`, oldest first. */
  since(key: string, since: number): Promise<number[]>;
  add(key: string, at: number, windowMs: number): Promise<void>;
  reset(key: string): Promise<void>;
}

/** Failures per key in memory; bounded by pruning keys whose failures all left the window. */
export function memoryFailureLog(): FailureLog {
  const failures = new Map<string, number[]>();
  let lastCutoff = 0;
  return {
    async since(key, since) { return (failures.get(key) ?? []).filter((t) => t > since); },
    async add(key, at, windowMs) {
      lastCutoff = at - windowMs;
      failures.set(key, [...(failures.get(key) ?? []).filter((t) => t > lastCutoff), at]);
      if (failures.size > 10_000) {
        for (const [k, times] of failures) if (!times.some((t) => t > lastCutoff)) failures.delete(k);
      }
    },
    async reset(key) { failures.delete(key); },
  };
}

export class FailureThrottle {
  constructor(private readonly policy: ThrottlePolicy, private readonly log: FailureLog, private readonly now = () => Date.now()) {}

  /** Milliseconds until the key may try again, or 0 when it may try now. */
  async retryAfter(key: string): Promise<number> {
    const recent = await this.log.since(key, this.now() - this.policy.windowMs);
    const over = recent.length - this.policy.free;
    if (over < 0) return 0;
    const delay = Math.min(this.policy.baseMs * 2 ** over, this.policy.maxMs);
    return Math.max(0, recent.at(-1)! + delay - this.now());
  }

  fail(key: string): Promise<void> { return this.log.add(key, this.now(), this.policy.windowMs); }

  reset(key: string): Promise<void> { return this.log.reset(key); }
}
