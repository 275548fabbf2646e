'use client';
// Behind a load balancer with several Tether instances, a session's requests must reach the
// instance that runs its workspace: the balancer hashes on this key (deploy/nginx.conf). The
// session id comes from the page's own address, so every tab carries its own.
const SESSION_PAGE = /^\/sessions\/([^/]+)/;

/** The session this page shows, or null. */
export function routeKey(): string | null {
  if (typeof window === 'undefined') return null;
  return SESSION_PAGE.exec(window.location.pathname)?.[1] ?? null;
}

/** `url` with `?session=` added when the page shows a session. */
export function withRouteKey(url: string): string {
  const key = routeKey();
  if (!key) return url;
  return `${url}${url.includes('?') ? '&' : '?'}session=${encodeURIComponent(decodeURIComponent(key))}`;
}
