import { ResetPasswordForm } from '../components/PasswordForms.tsx';

export const metadata = { title: 'Reset password', referrer: 'no-referrer' as const };

/** Public: the one-time token in the link is the credential (server/auth/passwords.ts). */
export default function ResetPasswordPage() {
  return (
    <main className="center-page">
      <ResetPasswordForm />
    </main>
  );
}
