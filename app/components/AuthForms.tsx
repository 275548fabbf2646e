'use client';
import { useMutation } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { type FormEvent } from 'react';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { errorOf, Field } from './Field.tsx';

const formValues = (e: FormEvent<HTMLFormElement>) => Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;

/** Only same-site paths: a crafted ?next= must not bounce a user to another site. */
function safeNext(next: string | null) {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginForm() {
  const trpc = useTRPC();
  const params = useSearchParams();
  const hydrated = useHydrated();
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: () => window.location.assign(safeNext(params.get('next'))) }));
  const { message, fields } = errorOf(login.error);
  return (
    <form method="post" className="card narrow stack" onSubmit={(e) => { e.preventDefault(); const v = formValues(e); login.mutate({ email: v.email ?? '', password: v.password ?? '' }); }}>
      <h1>Sign in to Tether</h1>
      <Field label="Email" name="email" type="email" autoComplete="username" required autoFocus error={fields.email} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required error={fields.password} />
      {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
      <button type="submit" className="primary" disabled={!hydrated || login.isPending}>{login.isPending ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}

export function SetupForm() {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const setup = useMutation(trpc.auth.setup.mutationOptions({ onSuccess: () => window.location.assign('/') }));
  const { message, fields } = errorOf(setup.error);
  return (
    <form method="post" className="card narrow stack" onSubmit={(e) => { e.preventDefault(); const v = formValues(e); setup.mutate({ email: v.email ?? '', name: v.name ?? '', password: v.password ?? '' }); }}>
      <p className="eyebrow">First run</p>
      <h1>Create the admin account</h1>
      <p className="muted">This account administers Tether: it adds team members and approves the riskiest agent actions. This page disappears once it exists.</p>
      <Field label="Name" name="name" autoComplete="name" required autoFocus error={fields.name} />
      <Field label="Email" name="email" type="email" autoComplete="username" required error={fields.email} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required error={fields.password} />
      {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
      <button type="submit" className="primary" disabled={!hydrated || setup.isPending}>Create admin account</button>
    </form>
  );
}
