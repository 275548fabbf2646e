// Circuit breaker per route: after repeated failures a route is skipped for a cool-down, then
// one trial call (half-open) decides whether it is back.
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  cooldownMs: number;
}

export const defaultBreakerOptions: BreakerOptions = { failureThreshold: 3, cooldownMs: 30_000 };

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private state: BreakerState = 'closed';
  private trialInFlight = false;

  constructor(private readonly options: BreakerOptions, private readonly now: () => number) {}

  /** Whether a call may go to this route now; in half-open, only one trial at a time. */
  tryAcquire(): boolean {
    if (this.state === 'open' && this.now() - this.openedAt >= this.options.cooldownMs) {
      this.state = 'half-open';
      this.trialInFlight = false;
    }
    if (this.state === 'closed') return true;
    if (this.state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  /** A call that was acquired ended without a verdict on the route (aborted, bad request). */
  release(): void { this.trialInFlight = false; }

  success(): void {
    this.failures = 0;
    this.state = 'closed';
    this.trialInFlight = false;
  }

  failure(): void {
    this.failures++;
    this.trialInFlight = false;
    if (this.state === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }

  snapshot(): { state: BreakerState; consecutiveFailures: number; reopensAt: number | null } {
    const cooled = this.state === 'open' && this.now() - this.openedAt >= this.options.cooldownMs;
    const state = cooled ? 'half-open' : this.state;
    return {
      state,
      consecutiveFailures: this.failures,
      reopensAt: state === 'open' ? this.openedAt + this.options.cooldownMs : null,
    };
  }
}
