// Which web origins a browser request may come from. Shared by the HTTP API (CSRF) and the
// Socket.IO handshake (cross-site WebSocket hijacking): both ride on the same session cookie.
import type { IncomingMessage } from 'node:http';

/** The configured list (`TETHER_ALLOWED_ORIGINS`), or null to mean "the server's own origin". */
export function parseAllowedOrigins(setting: string | undefined): string[] | null {
  const list = setting?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  return list.length > 0 ? list : null;
}

/**
 * Whether the request's Origin header names an allowed origin: the configured list, else the
 * origin the request itself names in Host (the page and the API are served by the same server).
 */
export function originAllowed(req: IncomingMessage, allowed: string[] | null): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (allowed) return allowed.includes(origin);
  const host = req.headers.host;
  return !!host && (origin === `http://${host}` || origin === `https://${host}`);
}
