'use client';
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { errorOf, Field } from './Field.tsx';

const MISMATCH = 'The two new passwords differ.';
const formValues = (e: FormEvent<HTMLFormElement>) => Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;

/** The signed-in user's own password: the current one proves it is them. */
export function ChangePasswordForm() {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation(trpc.auth.changePassword.mutationOptions());
  const { message, fields } = errorOf(change.error);
  return (
    <form method="post" className="card stack" aria-labelledby="change-password-heading" onSubmit={(e) => {
      e.preventDefault();
      const form = e.currentTarget;
      const v = formValues(e);
      setMismatch(v.newPassword !== v.repeat);
      if (v.newPassword !== v.repeat) return;
      change.mutate({ currentPassword: v.currentPassword ?? '', newPassword: v.newPassword ?? '' }, { onSuccess: () => form.reset() });
    }}>
      <h2 id="change-password-heading">Change your password</h2>
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={fields.currentPassword} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required error={fields.newPassword} />
      <Field label="Repeat the new password" name="repeat" type="password" autoComplete="new-password" required error={mismatch ? MISMATCH : undefined} />
      {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
      {change.isSuccess && <p role="status" className="ok">Your password is changed. Every other sign-in of your account has ended.</p>}
      <div><button type="submit" className="primary" disabled={!hydrated || change.isPending}>Change password</button></div>
    </form>
  );
}

/**
 * The page an admin's reset link opens. The token travels in the URL's fragment, which browsers
 * never send to a server; it is read here and dropped from the address bar.
 */
export function ResetPasswordForm() {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const [token, setToken] = useState<string | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());
  const { message, fields } = errorOf(reset.error);
  useEffect(() => {
    setToken(window.location.hash.slice(1));
    window.history.replaceState(null, '', window.location.pathname);
  }, []);

  if (reset.isSuccess) {
    return (
      <div className="card narrow stack" role="status">
        <h1>Your password is set</h1>
        <p className="muted">Sign in as {reset.data.email} with your new password.</p>
        <Link className="button primary" href="/login">Sign in</Link>
      </div>
    );
  }
  return (
    <form method="post" className="card narrow stack" onSubmit={(e) => {
      e.preventDefault();
      const v = formValues(e);
      setMismatch(v.password !== v.repeat);
      if (v.password === v.repeat) reset.mutate({ token: token ?? '', password: v.password ?? '' });
    }}>
      <h1>Choose a new password</h1>
      {token === '' && <p role="alert" className="form-error">This page needs the whole link an admin gave you; ask them for a new one.</p>}
      <Field label="New password" name="password" type="password" autoComplete="new-password" required autoFocus error={fields.password} />
      <Field label="Repeat the new password" name="repeat" type="password" autoComplete="new-password" required error={mismatch ? MISMATCH : undefined} />
      {(message && !fields.password) && <p role="alert" className="form-error">{fields.token?.join(' ') ?? message}</p>}
      <button type="submit" className="primary" disabled={!hydrated || !token || reset.isPending}>Set password</button>
    </form>
  );
}
