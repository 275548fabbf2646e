import Link from 'next/link';
import { AdminAudit } from '../../components/AdminAudit.tsx';
import { AppShell } from '../../components/AppShell.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

export const metadata = { title: 'Audit' };

export default async function AdminAuditPage() {
  const principal = await requirePrincipal('/admin/audit', 'admin');
  return (
    <AppShell principal={principal}>
      <div className="stack admin-stack">
        <p><Link href="/admin">← Admin</Link></p>
        <AdminAudit />
      </div>
    </AppShell>
  );
}
