import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieFrom, startTestApp, type TestApp } from '../../test/support/app.ts';

describe('sign-in', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    await app.api.mutate('auth.setup', { email: 'admin@example.test', name: 'Ada', password: 'correct horse battery' });
  });
  afterAll(async () => { await app?.close(); });

  it('sets an HttpOnly, SameSite session cookie and clears it on logout', async () => {
    const r = await app.api.mutate('auth.login', { email: 'ADMIN@example.test ', password: 'correct horse battery' });
    expect(r.status).toBe(200);
    expect(r.setCookie[0]).toMatch(/^tether_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    const cookie = cookieFrom(r)!;
    expect((await app.api.as(cookie).query('auth.status')).data).toMatchObject({ user: { email: 'admin@example.test', role: 'admin' } });
    const out = await app.api.as(cookie).mutate('auth.logout');
    expect(out.setCookie[0]).toMatch(/Max-Age=0/);
    expect((await app.api.as(cookie).query('sessions.list')).status).toBe(401);
  });

  it('stores only a digest of the cookie token', async () => {
    const cookie = cookieFrom(await app.api.mutate('auth.login', { email: 'admin@example.test', password: 'correct horse battery' }))!;
    const token = cookie.split('=')[1]!;
    const rows = await app.testDb.db.authSession.findMany();
    expect(rows.some((s) => s.tokenHash === token)).toBe(false);
    expect(rows.every((s) => /^[0-9a-f]{64}$/.test(s.tokenHash))).toBe(true);
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const a = await app.api.mutate('auth.login', { email: 'admin@example.test', password: 'wrong' });
    const b = await app.api.mutate('auth.login', { email: 'nobody@example.test', password: 'wrong' });
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(a.error?.message).toBe(b.error?.message);
  });

  it('rate-limits repeated failures for one email, even with the right password afterwards', async () => {
    for (let i = 0; i < 5; i++) await app.api.mutate('auth.login', { email: 'victim@example.test', password: `guess ${i}` });
    const blocked = await app.api.mutate('auth.login', { email: 'victim@example.test', password: 'anything' });
    expect(blocked.status).toBe(429);
    expect(blocked.error?.message).toMatch(/Too many failed sign-ins/);
  });

  it('treats a cookie that does not decode as signed out, not as a server error', async () => {
    const r = await app.api.as('tether_session=%00%ff%').query('auth.status');
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ user: null });
    expect((await app.api.as('tether_session=%E0%A4%A').query('sessions.list')).status).toBe(401);
  });

  it('rejects an expired session', async () => {
    const cookie = cookieFrom(await app.api.mutate('auth.login', { email: 'admin@example.test', password: 'correct horse battery' }))!;
    await app.testDb.db.authSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await app.api.as(cookie).query('sessions.list')).status).toBe(401);
  });
});
