// Contract between the HTTP server and the Next.js pages: the server resolves the sign-in
// once per page request and passes it in these headers (stripping any a client sent).
export const PRINCIPAL_HEADER = 'x-tether-principal';
export const SETUP_HEADER = 'x-tether-needs-setup';
/** On /sessions/<id>: '1' when the signed-in user may see that session, else '0' (the page answers 404). */
export const SESSION_VISIBLE_HEADER = 'x-tether-session-visible';
/** On a visible /sessions/<id>: the session's title, percent-encoded, for the page's <title>. */
export const SESSION_TITLE_HEADER = 'x-tether-session-title';

export interface PagePrincipal { id: string; email: string; name: string; role: 'admin' | 'member' }

export const encodePagePrincipal = (p: PagePrincipal) => encodeURIComponent(JSON.stringify(p));
export const decodePagePrincipal = (value: string | null): PagePrincipal | null => {
  if (!value) return null;
  try {
    return JSON.parse(decodeURIComponent(value)) as PagePrincipal;
  } catch {
    return null;
  }
};
