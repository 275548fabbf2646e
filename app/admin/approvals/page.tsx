import { AppShell } from '../../components/AppShell.tsx';
import { ApprovalQueue } from '../../components/approvals/ApprovalQueue.tsx';
import { requirePrincipal } from '../../lib/page-auth.ts';

export const metadata = { title: 'Approvals' };

export default async function ApprovalsPage() {
  const principal = await requirePrincipal('/admin/approvals', 'admin');
  return (
    <AppShell principal={principal}>
      <ApprovalQueue />
    </AppShell>
  );
}
