import 'server-only';
import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { decodePagePrincipal, PRINCIPAL_HEADER, SETUP_HEADER, type PagePrincipal } from '../../server/api/page-headers.ts';

export async function pageState() {
  const h = await headers();
  return { principal: decodePagePrincipal(h.get(PRINCIPAL_HEADER)), needsSetup: h.get(SETUP_HEADER) === '1' };
}

/** For pages behind sign-in: sends visitors to setup or login, and non-admins to the 403 page. */
export async function requirePrincipal(from: string, role?: 'admin'): Promise<PagePrincipal> {
  const { principal, needsSetup } = await pageState();
  if (needsSetup) redirect('/setup');
  if (!principal) redirect(`/login?next=${encodeURIComponent(from)}`);
  if (role === 'admin' && principal.role !== 'admin') forbidden();
  return principal;
}
