import { AppShell } from '../components/AppShell.tsx';
import { ChangePasswordForm } from '../components/PasswordForms.tsx';
import { requirePrincipal } from '../lib/page-auth.ts';

export const metadata = { title: 'Your account' };

export default async function AccountPage() {
  const principal = await requirePrincipal('/account');
  return (
    <AppShell principal={principal}>
      <div className="stack admin-stack">
        <h1>Your account</h1>
        <p>{principal.name} · <span className="muted">{principal.email} · {principal.role}</span></p>
        <ChangePasswordForm />
      </div>
    </AppShell>
  );
}
