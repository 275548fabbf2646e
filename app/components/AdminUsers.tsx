'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { errorOf, Field } from './Field.tsx';

export function AdminUsers({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const users = useQuery(trpc.admin.users.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.queryKey() });
  const create = useMutation(trpc.admin.createUser.mutationOptions({ onSuccess: refresh }));
  const setRole = useMutation(trpc.admin.setRole.mutationOptions({ onSuccess: refresh }));
  const setDisabled = useMutation(trpc.admin.setDisabled.mutationOptions({ onSuccess: refresh }));
  const { message, fields } = errorOf(create.error);
  const rowError = errorOf(setRole.error ?? setDisabled.error).message;

  return (
    <section className="stack" aria-labelledby="users-heading">
      <h1 id="users-heading">Users</h1>
      {rowError && <p role="alert" className="form-error">{rowError}</p>}
      {users.error && <p role="alert" className="form-error">{users.error.message}</p>}
      {users.isLoading && <p className="muted">Loading…</p>}
      <table className="table" aria-label="Users">
        <thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Status</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {users.data?.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>
                <select aria-label={`Role of ${u.email}`} value={u.role} disabled={u.id === currentUserId}
                  onChange={(e) => setRole.mutate({ userId: u.id, role: e.target.value as 'admin' | 'member' })}>
                  <option value="member">member</option>
                  <option value="admin">admin</option>
                </select>
              </td>
              <td><span className={`badge ${u.disabled ? 'stopped' : 'active'}`}>{u.disabled ? 'disabled' : 'active'}</span></td>
              <td>
                {u.id !== currentUserId && (
                  <button type="button" className="ghost" onClick={() => setDisabled.mutate({ userId: u.id, disabled: !u.disabled })}>
                    {u.disabled ? 'Enable' : 'Disable'} <span className="visually-hidden">{u.email}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

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
