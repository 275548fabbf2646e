import Link from 'next/link';
import { AdminProfiles, AdminProfilesUsage } from '../../components/AdminProfiles.tsx';
import { AppShell } from '../../components/AppShell.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

export const metadata = { title: 'Task profiles' };

export default async function AdminProfilesPage() {
  const principal = await requirePrincipal('/admin/profiles', 'admin');
  return (
    <AppShell principal={principal}>
      <div className="stack admin-stack">
        <p><Link href="/admin">← Admin</Link></p>
        <AdminProfiles />
        <AdminProfilesUsage />
      </div>
    </AppShell>
  );
}
