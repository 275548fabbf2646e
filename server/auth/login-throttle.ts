// Sign-in throttling with growing delays and no lockout an attacker can trigger: failures are
// counted per account-and-address pair, per account and per address, and a browser that signed
// in to the account before (a valid device cookie) is throttled only on its own failures.
import { FailureThrottle, memoryFailureLog, type FailureLog, type ThrottlePolicy } from './rate-limit.ts';

const WINDOW_MS = 15 * 60_000;
const policies = {
  /** One guesser at one account: three tries, then 1 s, 2 s, 4 s … up to 15 minutes between tries. */
  pair: { free: 3, baseMs: 1_000, maxMs: WINDOW_MS, windowMs: WINDOW_MS },
  /** Many addresses at one account: the same growth, later. */
  account: { free: 10, baseMs: 1_000, maxMs: WINDOW_MS, windowMs: WINDOW_MS },
  /** One address at many accounts (password spraying): short waits only, so people sharing an address are slowed, never shut out. */
  address: { free: 20, baseMs: 1_000, maxMs: 30_000, windowMs: WINDOW_MS },
  /** A known device's own failures: a stolen device cookie buys no more guesses than a stranger gets. */
  device: { free: 3, baseMs: 1_000, maxMs: WINDOW_MS, windowMs: WINDOW_MS },
} satisfies Record<string, ThrottlePolicy>;
export type Scope = keyof typeof policies;

export interface LoginAttempt {
  email: string;
  address: string;
  /** The device cookie, only when it is valid for this account. */
  knownDevice: string | null;
}

export interface Throttled { scope: Scope; waitMs: number }

export class LoginThrottle {
  private readonly throttles: Record<Scope, FailureThrottle>;

  /** logFor: where each scope's failures are kept (in memory by default; Redis across instances). */
  constructor(now = () => Date.now(), logFor: (scope: Scope) => FailureLog = () => memoryFailureLog()) {
    this.throttles = {
      pair: new FailureThrottle(policies.pair, logFor('pair'), now),
      account: new FailureThrottle(policies.account, logFor('account'), now),
      address: new FailureThrottle(policies.address, logFor('address'), now),
      device: new FailureThrottle(policies.device, logFor('device'), now),
    };
  }

  /** The longest wait that applies to this attempt, or null when it may go ahead. */
  async check(attempt: LoginAttempt): Promise<Throttled | null> {
    let worst: Throttled | null = null;
    for (const [scope, key] of this.keys(attempt)) {
      const waitMs = await this.throttles[scope].retryAfter(key);
      if (waitMs > 0 && (!worst || waitMs > worst.waitMs)) worst = { scope, waitMs };
    }
    return worst;
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    await Promise.all(this.keys(attempt).map(([scope, key]) => this.throttles[scope].fail(key)));
  }

  /** Only the successful guesser's own counts are cleared: others' failures on the account still stand. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all(this.keys(attempt).filter(([scope]) => scope === 'pair' || scope === 'device').map(([scope, key]) => this.throttles[scope].reset(key)));
  }

  private keys(a: LoginAttempt): [Scope, string][] {
    if (a.knownDevice) return [['device', `${a.email}\n${a.knownDevice}`]];
    return [['pair', `${a.email}\n${a.address}`], ['account', a.email], ['address', a.address]];
  }
}
