import Link from 'next/link';
import { AdminSecrets } from '../../components/AdminSecrets.tsx';
import { AppShell } from '../../components/AppShell.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

export const metadata = { title: 'Secrets' };

export default async function AdminSecretsPage() {
  const principal = await requirePrincipal('/admin/secrets', 'admin');
  return (
    <AppShell principal={principal}>
      <div className="stack admin-stack">
        <p><Link href="/admin">← Admin</Link></p>
        <AdminSecrets />
      </div>
    </AppShell>
  );
}
