import Link from 'next/link';
import { AdminPolicyAnomalies } from '../../components/AdminPolicyAnomalies.tsx';
import { AdminEgressAllowlist } from '../../components/AdminEgressAllowlist.tsx';
import { AdminPolicyRules } from '../../components/AdminPolicyRules.tsx';
import { AdminPolicySettings } from '../../components/AdminPolicySettings.tsx';
import { AppShell } from '../../components/AppShell.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

export const metadata = { title: 'Policy' };

export default async function AdminPolicyPage() {
  const principal = await requirePrincipal('/admin/policy', 'admin');
  return (
    <AppShell principal={principal}>
      <div className="stack admin-stack">
        <p><Link href="/admin">← Admin</Link></p>
        <AdminPolicyRules />
        <AdminPolicySettings />
        <AdminPolicyAnomalies />
        <AdminEgressAllowlist />
      </div>
    </AppShell>
  );
}
