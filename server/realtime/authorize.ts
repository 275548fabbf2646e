import type { IncomingMessage } from 'node:http';
import { readCookie, resolvePrincipal, SESSION_COOKIE } from '../auth/auth-sessions.ts';
import type { Principal } from '../auth/roles.ts';
import type { Db } from '../db/client.ts';

/** A socket's sign-in is re-checked this often (expiry); sign-out, disabling and role changes are re-checked at once. */
export const REAUTHORIZE_MS = 30_000;

export async function principalFromHandshake(db: Db, req: IncomingMessage): Promise<Principal | null> {
  return resolvePrincipal(db, readCookie(req.headers.cookie, SESSION_COOKIE));
}
