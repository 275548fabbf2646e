import { AppShell } from './components/AppShell.tsx';
import { SessionList } from './components/SessionList.tsx';
import { requirePrincipal } from './lib/page-auth.ts';

// The root layout's title template applies to child segments only, not to its own page.
export const metadata = { title: { absolute: 'Dashboard · Tether' } };

export default async function Dashboard() {
  const principal = await requirePrincipal('/');
  return (
    <AppShell principal={principal}>
      <SessionList isAdmin={principal.role === 'admin'} />
    </AppShell>
  );
}
