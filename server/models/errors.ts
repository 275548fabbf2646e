// How a failed model call is treated: try the next route, or stop because the next one would
// refuse the same request too.
// From the providers' own package, not `ai`: the SDK's runtime is loaded only when a model is called.
import { APICallError } from '@ai-sdk/provider';

/**
 * transient: rate limits, overload, timeouts, dropped connections — another route may answer.
 * route: this route is misconfigured (bad key, unknown model) — another route has its own.
 * request: the request itself is refused (400, 413, 422) — every route would refuse it.
 */
export type FailureKind = 'transient' | 'route' | 'request' | 'aborted';

const ROUTE_STATUSES = new Set([401, 403, 404]);
const TRANSIENT_STATUSES = new Set([408, 409, 425, 429]);

export function classifyFailure(err: unknown, signal?: AbortSignal): { kind: FailureKind; status?: number; message: string } {
  if (signal?.aborted) return { kind: 'aborted', message: 'stopped' };
  if (APICallError.isInstance(err)) {
    const status = err.statusCode;
    const message = err.message || `HTTP ${status}`;
    if (status === undefined || status >= 500 || TRANSIENT_STATUSES.has(status)) return { kind: 'transient', status, message };
    if (ROUTE_STATUSES.has(status)) return { kind: 'route', status, message };
    return { kind: 'request', status, message };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || /fetch failed|ECONN|socket|terminated|network/i.test(message))) {
    return { kind: 'transient', message };
  }
  return { kind: 'route', message };
}

export type ModelCallErrorKind = 'not_configured' | 'unavailable' | 'request' | 'stream' | 'aborted';

/** Safe to show a user: messages are scrubbed of secrets before this is built. */
export class ModelCallError extends Error {
  constructor(
    readonly kind: ModelCallErrorKind,
    message: string,
    readonly attempts: { route: string; error: string }[] = [],
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

export function redact(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => t.split(s).join('[redacted]'), text);
}
