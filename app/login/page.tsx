import { redirect } from 'next/navigation';
import { Suspense } from 'react';
import { LoginForm } from '../components/AuthForms.tsx';
import { pageState } from '../lib/page-auth.ts';

export const metadata = { title: 'Sign in' };

export default async function LoginPage() {
  const { principal, needsSetup } = await pageState();
  if (needsSetup) redirect('/setup');
  if (principal) redirect('/');
  return (
    <main className="center-page">
      <Suspense><LoginForm /></Suspense>
    </main>
  );
}
