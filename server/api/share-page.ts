// The page /s/<token> is answered here when the link cannot be opened, with the status that says
// why (404 unknown, 410 revoked or expired, 403 another team's link) or a sign-in redirect for a
// members-only link; otherwise Next.js renders the viewer, which reads through viewer procedures.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/roles.ts';
import type { Services } from '../services.ts';
import { shareTokenSchema } from '../share/links.ts';

export const SHARE_PAGE = /^\/s\/([^/]+)$/;

const statuses = { unknown: 404, gone: 410, forbidden: 403 } as const;

/** True when it answered the request itself. */
export async function refuseSharePage(services: Services, req: IncomingMessage, res: ServerResponse, rawToken: string, principal: Principal | null): Promise<boolean> {
  const token = shareTokenSchema.safeParse(decodeURIComponent(rawToken));
  const resolved = token.success
    ? await services.share.links.resolve(token.data, principal, 'page', { address: req.socket.remoteAddress ?? 'unknown', userId: principal?.user.id ?? null })
    : { ok: false as const, reason: 'unknown' as const, message: 'This share link does not exist.' };
  if (resolved.ok) return false;
  if (resolved.reason === 'sign-in') {
    res.writeHead(303, { location: `/login?next=${encodeURIComponent(`/s/${rawToken}`)}`, 'cache-control': 'no-store' });
    res.end();
    return true;
  }
  res.writeHead(statuses[resolved.reason], { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Share link</title></head><body><main><h1>This link cannot be opened</h1><p role="alert">${resolved.message}</p></main></body></html>`);
  return true;
}
