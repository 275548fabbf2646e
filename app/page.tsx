import { AppShell } from './components/AppShell.tsx';
import { SessionList } from './components/SessionList.tsx';
import { requirePrincipal } from './lib/page-auth.ts';

export const metadata = { title: 'Dashboard' };

export default async function Dashboard() {
  const principal = await requirePrincipal('/');
  return (
    <AppShell principal={principal}>
      <SessionList isAdmin={principal.role === 'admin'} />
    </AppShell>
  );
}
