// Contract between the HTTP server and the Next.js pages: the server resolves the sign-in
// once per page request and passes it in these headers (stripping any a client sent).
export const PRINCIPAL_HEADER = 'x-tether-principal';
export const SETUP_HEADER = 'x-tether-needs-setup';

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
