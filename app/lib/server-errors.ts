// How a failed tRPC call failed, as the UI needs to tell: the server refused (a code it sent), or
// could not be reached at all (restarting, network gone) — then work is kept and retried.

/** The tRPC error code the server answered with, if it answered. */
export const errorCode = (err: unknown): string | undefined => (err as { data?: { code?: string } | null } | null)?.data?.code;

/**
 * True when Tether itself gave no answer: `fetch` failed (a TypeError: "Failed to fetch",
 * "NetworkError…"), or something in front of it (a proxy's 502/503 page) answered with what is
 * not a tRPC response. Every refusal of Tether's, the request guards' included, carries a code.
 */
export const isUnreachable = (err: unknown): boolean => errorCode(err) === undefined;

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
