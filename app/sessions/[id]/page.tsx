import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { SESSION_TITLE_HEADER, SESSION_VISIBLE_HEADER } from '../../../server/api/page-headers.ts';
import { AppShell } from '../../components/AppShell.tsx';
import { SessionView } from '../../components/SessionView.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

/** The session's title, which the server looked up with its visibility; null for a session this user cannot see. */
async function sessionTitle(): Promise<string | null> {
  const title = (await headers()).get(SESSION_TITLE_HEADER);
  if (title === null) return null;
  try {
    return decodeURIComponent(title);
  } catch {
    return 'Session';
  }
}

/** The tab names the session ("Fix the login test · Tether"). */
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await sessionTitle()) ?? 'Not found' };
}

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const principal = await requirePrincipal(`/sessions/${id}`);
  // The server looked the session up for this user (server/http.ts): unknown and foreign ids are 404s.
  if ((await headers()).get(SESSION_VISIBLE_HEADER) !== '1') notFound();
  // The page's own header shows it at once, before the browser has read the session.
  const title = (await sessionTitle()) ?? 'Session';
  return (
    <AppShell principal={principal} wide>
      <SessionView sessionId={id} title={title} userId={principal.id} isAdmin={principal.role === 'admin'} />
    </AppShell>
  );
}
