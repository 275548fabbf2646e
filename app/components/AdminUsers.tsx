'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC, type RouterOutputs } from '../lib/trpc.ts';
import { relativeTime } from '../lib/relative-time.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { useConfirm } from './ConfirmDialog.tsx';
import { errorOf, Field } from './Field.tsx';
import './dashboard.css';

type User = RouterOutputs['admin']['users'][number];
type Role = User['role'];

export function AdminUsers({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const { ask, dialog } = useConfirm();
  const users = useQuery(trpc.admin.users.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.queryKey() });
  const create = useMutation(trpc.admin.createUser.mutationOptions({ onSuccess: refresh }));
  const setRole = useMutation(trpc.admin.setRole.mutationOptions({ onSuccess: refresh }));
  const setDisabled = useMutation(trpc.admin.setDisabled.mutationOptions({ onSuccess: refresh }));
  const resetLink = useMutation(trpc.admin.createResetLink.mutationOptions());
  const { message, fields } = errorOf(create.error);
  const rowError = errorOf(setRole.error ?? setDisabled.error ?? resetLink.error).message;

  const confirmRole = (u: User, role: Role) => ask({
    title: `Make ${u.email} ${role === 'admin' ? 'an admin' : 'a member'}?`,
    body: role === 'admin'
      ? 'Admins see and stop every session of the team, manage users, models, rules and secrets, and approve high-risk agent actions.'
      : 'They lose the admin pages at once and keep only their own sessions.',
    confirm: role === 'admin' ? 'Make admin' : 'Make member', danger: role === 'admin',
    onConfirm: () => setRole.mutate({ userId: u.id, role }),
  });
  const confirmDisable = (u: User) => ask({
    title: `Disable ${u.email}?`,
    body: 'They are signed out everywhere at once and cannot sign in until an admin enables the account again. Their sessions stay.',
    confirm: 'Disable account', danger: true,
    onConfirm: () => setDisabled.mutate({ userId: u.id, disabled: true }),
  });

  return (
    <section className="stack" aria-labelledby="users-heading">
      <h1 id="users-heading">Users</h1>
      {rowError && <p role="alert" className="form-error">{rowError}</p>}
      {users.error && <p role="alert" className="form-error">{users.error.message}</p>}
      {users.isLoading && <p className="muted">Loading…</p>}
      <table className="table" aria-label="Users">
        <thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Status</th><th>Last seen</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {users.data?.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>
                <select aria-label={`Role of ${u.email}`} value={u.role} disabled={u.id === currentUserId || setRole.isPending}
                  onChange={(e) => confirmRole(u, e.target.value as Role)}>
                  <option value="member">member</option>
                  <option value="admin">admin</option>
                </select>
              </td>
              <td><span className={`badge ${u.disabled ? 'stopped' : 'active'}`}>{u.disabled ? 'disabled' : 'active'}</span></td>
              <td className="muted" title={u.lastSeenAt ? new Date(u.lastSeenAt).toLocaleString() : undefined}>{u.lastSeenAt ? relativeTime(new Date(u.lastSeenAt)) : 'never'}</td>
              <td className="row-actions">
                {u.id !== currentUserId && !u.disabled && (
                  <button type="button" className="ghost small" disabled={resetLink.isPending} onClick={() => resetLink.mutate({ userId: u.id })}>
                    Reset password<span className="visually-hidden"> of {u.email}</span>
                  </button>
                )}
                {u.id !== currentUserId && (
                  <button type="button" className={u.disabled ? 'ghost small' : 'ghost small danger'} disabled={setDisabled.isPending}
                    onClick={() => (u.disabled ? setDisabled.mutate({ userId: u.id, disabled: false }) : confirmDisable(u))}>
                    {u.disabled ? 'Enable' : 'Disable'} <span className="visually-hidden">{u.email}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {dialog}
      {resetLink.data && <ResetLink link={resetLink.data} onDone={() => resetLink.reset()} />}

      <form method="post" className="card stack" aria-labelledby="add-user-heading" onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const v = Object.fromEntries(new FormData(form)) as Record<string, string>;
        create.mutate({ name: v.name ?? '', email: v.email ?? '', password: v.password ?? '', role: v.role === 'admin' ? 'admin' : 'member' }, { onSuccess: () => form.reset() });
      }}>
        <h2 id="add-user-heading">Add a team member</h2>
        <p className="muted">Share the initial password with them privately.</p>
        <div className="grid-2">
          <Field label="Name" name="name" required error={fields.name} />
          <Field label="Email" name="email" type="email" required error={fields.email} />
          <Field label="Initial password" name="password" type="password" autoComplete="new-password" required error={fields.password} />
          <div className="field">
            <label htmlFor="role">Role</label>
            <select id="role" name="role" defaultValue="member"><option value="member">member</option><option value="admin">admin</option></select>
          </div>
        </div>
        {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
        {create.isSuccess && <p role="status" className="ok">Added {create.data.email}.</p>}
        <div><button type="submit" className="primary" disabled={!hydrated || create.isPending}>Add user</button></div>
      </form>
    </section>
  );
}

/** Shown once: only the link's digest is stored, so it cannot be shown again. */
function ResetLink({ link, onDone }: { link: RouterOutputs['admin']['createResetLink']; onDone: () => void }) {
  const url = `${window.location.origin}${link.path}`;
  const [copied, setCopied] = useState(false);
  return (
    <div className="card stack" role="region" aria-label="Password reset link">
      <p>
        Give this link to {link.email} privately. It works once, until {new Date(link.expiresAt).toLocaleString()}; it is not shown again.
        Their sign-ins end when they set the new password.
      </p>
      <label className="visually-hidden" htmlFor="reset-link">Reset link for {link.email}</label>
      <input id="reset-link" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
      <div className="row">
        <button type="button" className="primary small" onClick={() => {
          navigator.clipboard.writeText(url).then(() => setCopied(true), () => setCopied(false));
        }}>Copy link</button>
        {copied && <span role="status" className="ok small-text">Copied.</span>}
        <button type="button" className="ghost small" onClick={onDone}>Done</button>
      </div>
    </div>
  );
}
