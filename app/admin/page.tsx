import Link from 'next/link';
import { AdminModels } from '../components/AdminModels.tsx';
import { AdminUsers } from '../components/AdminUsers.tsx';
import { AppShell } from '../components/AppShell.tsx';
import { requirePrincipal } from '../lib/page-auth.ts';

export const metadata = { title: 'Admin' };

export default async function AdminPage() {
  const principal = await requirePrincipal('/admin', 'admin');
  return (
    <AppShell principal={principal}>
      <div className="stack admin-stack">
        <p><Link href="/admin/policy">Agent rules and policy settings →</Link></p>
        <p><Link href="/admin/secrets">Workspace secrets →</Link></p>
        <p><Link href="/admin/profiles">Task profiles and their usage →</Link></p>
        <p><Link href="/admin/audit">Audit: browse, export and verify →</Link></p>
        <AdminUsers currentUserId={principal.id} />
        <AdminModels />
      </div>
    </AppShell>
  );
}
