import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { SESSION_TITLE_HEADER, SESSION_VISIBLE_HEADER } from '../../../server/api/page-headers.ts';
import { AppShell } from '../../components/AppShell.tsx';
import { SessionView } from '../../components/SessionView.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

/** The tab names the session ("Fix the login test · Tether"); the server looked its title up with its visibility. */
export async function generateMetadata(): Promise<Metadata> {
  const title = (await headers()).get(SESSION_TITLE_HEADER);
  if (title === null) return { title: 'Not found' };
  try {
    return { title: decodeURIComponent(title) };
  } catch {
    return { title: 'Session' };
  }
}

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const principal = await requirePrincipal(`/sessions/${id}`);
  // The server looked the session up for this user (server/http.ts): unknown and foreign ids are 404s.
  if ((await headers()).get(SESSION_VISIBLE_HEADER) !== '1') notFound();
  return (
    <AppShell principal={principal} wide>
      <SessionView sessionId={id} userId={principal.id} isAdmin={principal.role === 'admin'} />
    </AppShell>
  );
}
