import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { SESSION_VISIBLE_HEADER } from '../../../server/api/page-headers.ts';
import { AppShell } from '../../components/AppShell.tsx';
import { SessionView } from '../../components/SessionView.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

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
