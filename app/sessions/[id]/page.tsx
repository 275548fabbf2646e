import { AppShell } from '../../components/AppShell.tsx';
import { SessionView } from '../../components/SessionView.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const principal = await requirePrincipal(`/sessions/${id}`);
  return (
    <AppShell principal={principal} wide>
      <SessionView sessionId={id} isAdmin={principal.role === 'admin'} />
    </AppShell>
  );
}
