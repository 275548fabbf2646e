// How a failed tRPC call failed, as the UI needs to tell: the server refused (a code it sent), or
// could not be reached at all (restarting, network gone) — then work is kept and retried.

/** The tRPC error code the server answered with, if it answered. */
export const errorCode = (err: unknown): string | undefined => (err as { data?: { code?: string } | null } | null)?.data?.code;

/**
 * True when no answer came from the server: `fetch` itself failed (a TypeError: "Failed to
 * fetch", "NetworkError…", "Load failed"), or a proxy in front answered that the server is away.
 */
export function isUnreachable(err: unknown): boolean {
  const e = err as { data?: { httpStatus?: number } | null; cause?: unknown; message?: unknown } | null;
  const status = e?.data?.httpStatus;
  if (status !== undefined) return status === 502 || status === 503 || status === 504;
  return err instanceof TypeError || e?.cause instanceof TypeError || /failed to fetch|networkerror|load failed/i.test(String(e?.message ?? ''));
}

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
