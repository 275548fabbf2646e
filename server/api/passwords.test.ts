// Password changes and admin reset links: one-time, expiring, stored hashed; every other sign-in
// ends. Also the admin page's "last seen" and the model routes flagged at save time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenDigest } from '../auth/tokens.ts';
import { cookieFrom, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';

interface UserRow { id: string; email: string; lastSeenAt: string | null }

describe.each(testProviders)('passwords and admin users on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let memberId: string;
  const signIn = async (email: string, password: string) => {
    const r = await app.api.mutate('auth.login', { email, password });
    return r.error ? null : app.api.as(cookieFrom(r));
  };
  const signedIn = async (api: ApiClient) => (await api.query('sessions.list')).status === 200;
  const users = async () => (await admin.query('admin.users')).data as UserRow[];

  beforeAll(async () => {
    app = await startTestApp(provider);
    ({ admin, member } = await setupAdminAndMember(app));
    memberId = (await users()).find((u) => u.email === 'member@example.test')!.id;
  });
  afterAll(async () => { await app?.close(); });

  it('shows when each user was last seen', async () => {
    const seen = (await users()).find((u) => u.id === memberId)!.lastSeenAt;
    expect(seen).not.toBeNull();
    expect(Date.now() - new Date(seen!).getTime()).toBeLessThan(60_000);
  });

  it('resets a password through a one-time link stored only as a digest, ending the old sign-ins', async () => {
    const created = await admin.mutate('admin.createResetLink', { userId: memberId });
    const link = created.data as { path: string; email: string; expiresAt: string };
    expect(link.email).toBe('member@example.test');
    const token = /^\/reset-password#([A-Za-z0-9_-]{43})$/.exec(link.path)?.[1];
    expect(token).toBeDefined();
    const row = await app.services.db.passwordReset.findFirstOrThrow({ where: { userId: memberId } });
    expect(row.tokenHash).toBe(tokenDigest(token!));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(new Date(link.expiresAt).getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);

    expect((await app.api.mutate('auth.resetPassword', { token, password: 'short' })).error?.message).toMatch(/at least 10 characters/);
    expect((await app.api.mutate('auth.resetPassword', { token, password: 'brand new secret 1' })).data).toEqual({ email: 'member@example.test' });
    expect(await signedIn(member)).toBe(false);
    expect(await signIn('member@example.test', 'member password 1')).toBeNull();
    member = (await signIn('member@example.test', 'brand new secret 1'))!;
    expect(await signedIn(member)).toBe(true);

    const again = await app.api.mutate('auth.resetPassword', { token, password: 'another new secret' });
    expect(again.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/expired or was used already/) });
    expect((await app.api.mutate('auth.resetPassword', { token: 'x'.repeat(43), password: 'another new secret' })).error?.code).toBe('BAD_REQUEST');
    const audit = await app.services.db.auditEntry.findMany({ where: { target: memberId }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['user.reset_link_created', 'user.password_reset']));
  });

  it('refuses expired links, and a new link replaces the last unused one', async () => {
    const first = ((await admin.mutate('admin.createResetLink', { userId: memberId })).data as { path: string }).path.split('#')[1]!;
    const second = ((await admin.mutate('admin.createResetLink', { userId: memberId })).data as { path: string }).path.split('#')[1]!;
    expect((await app.api.mutate('auth.resetPassword', { token: first, password: 'never used secret' })).error?.code).toBe('BAD_REQUEST');
    await app.services.db.passwordReset.updateMany({ where: { tokenHash: tokenDigest(second) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await app.api.mutate('auth.resetPassword', { token: second, password: 'never used secret' })).error?.message).toMatch(/expired/);
    expect((await admin.mutate('admin.createResetLink', { userId: 'nobody' })).error?.code).toBe('NOT_FOUND');
  });

  it('changes one\'s own password with the current one, signing out every other sign-in', async () => {
    const elsewhere = (await signIn('member@example.test', 'brand new secret 1'))!;
    const wrong = await member.mutate('auth.changePassword', { currentPassword: 'not it at all', newPassword: 'changed secret 22' });
    expect(wrong.error).toMatchObject({ code: 'BAD_REQUEST', message: 'Your current password is not right.' });
    expect(await signedIn(elsewhere)).toBe(true);
    const changed = await member.mutate('auth.changePassword', { currentPassword: 'brand new secret 1', newPassword: 'changed secret 22' });
    expect(changed.error).toBeNull();
    expect(changed.setCookie.some((c) => c.startsWith('tether_device='))).toBe(true);
    expect(await signedIn(member)).toBe(true);
    expect(await signedIn(elsewhere)).toBe(false);
    expect(await signIn('member@example.test', 'brand new secret 1')).toBeNull();
    expect(await signIn('member@example.test', 'changed secret 22')).not.toBeNull();
  });

  it('flags a model route without a usable key when it is saved', async () => {
    const saved = await admin.mutate('models.setRoutes', { task: 'agent', routes: ['anthropic:claude-sonnet-4-5'] });
    expect((saved.data as { unusable: unknown }).unusable).toEqual([{ id: 'anthropic:claude-sonnet-4-5', missing: 'ANTHROPIC_API_KEY is not set' }]);
  });
});
