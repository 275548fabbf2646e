import type { IncomingMessage } from 'node:http';
import { readCookie, resolvePrincipal, SESSION_COOKIE } from '../auth/auth-sessions.ts';
import type { Principal } from '../auth/roles.ts';
import type { Db } from '../db/client.ts';

/**
 * Origins a socket may come from: the configured list, else the origin the request itself
 * names in Host (the page and the socket are served by the same server).
 */
export function originAllowed(req: IncomingMessage, allowed: string[] | null): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (allowed) return allowed.includes(origin);
  const host = req.headers.host;
  return !!host && (origin === `http://${host}` || origin === `https://${host}`);
}

/** Re-checked this often on a long-lived socket, so logout and disabling take effect. */
export const REAUTHORIZE_MS = 30_000;

export async function principalFromHandshake(db: Db, req: IncomingMessage): Promise<Principal | null> {
  return resolvePrincipal(db, readCookie(req.headers.cookie, SESSION_COOKIE));
}
