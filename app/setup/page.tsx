import { notFound } from 'next/navigation';
import { SetupForm } from '../components/AuthForms.tsx';
import { pageState } from '../lib/page-auth.ts';

export const metadata = { title: 'Set up' };

export default async function SetupPage() {
  // Gone for good once an admin exists.
  if (!(await pageState()).needsSetup) notFound();
  return (
    <main className="center-page">
      <SetupForm />
    </main>
  );
}
