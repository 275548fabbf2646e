import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cookieFrom, startTestApp, type TestApp } from '../../test/support/app.ts';

describe('sign-in', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    const setup = await app.api.mutate('auth.setup', { email: 'admin@example.test', name: 'Ada', password: 'correct horse battery' });
    // The throttle tests hammer the admin account; this one signs in from a shared address.
    await app.api.as(cookieFrom(setup)).mutate('admin.createUser', { email: 'carol@example.test', name: 'Carol', password: 'carol password 1' });
  });
  afterAll(async () => { await app?.close(); });

  /** Signs in from a given loopback address (all of 127/8 reaches the server), as throttling keys on it. */
  const loginFrom = (address: string, email: string, password: string, cookie?: string) =>
    new Promise<{ status: number; message: string | null; retryAfter: string | undefined; setCookie: string[] }>((resolve, reject) => {
      const req = request(`${app.url}/api/trpc/auth.login`, {
        method: 'POST', localAddress: address,
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve({
          status: res.statusCode ?? 0,
          message: (JSON.parse(body) as { error?: { json: { message: string } } }).error?.json.message ?? null,
          retryAfter: res.headers['retry-after'],
          setCookie: res.headers['set-cookie'] ?? [],
        }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ json: { email, password } }));
    });

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

  it('throttles a guesser with growing delays and says how long to wait', async () => {
    const warn = vi.spyOn(app.services.log, 'warn');
    for (let i = 0; i < 3; i++) expect((await loginFrom('127.0.0.2', 'admin@example.test', `guess ${i}`)).status).toBe(401);
    const throttled = await loginFrom('127.0.0.2', 'admin@example.test', 'correct horse battery');
    expect(throttled.status).toBe(429);
    expect(throttled.message).toMatch(/Too many failed sign-ins\. Try again in \d+ seconds\./);
    expect(Number(throttled.retryAfter)).toBeGreaterThan(0);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ email: 'admin@example.test', address: '127.0.0.2', scope: 'pair' }), 'sign-in throttled');
    warn.mockRestore();
    // The same account from elsewhere is not slowed by one guesser.
    expect((await loginFrom('127.0.0.3', 'admin@example.test', 'correct horse battery')).status).toBe(200);
  });

  it('lets the owner sign in from a known device while many addresses hammer the account', async () => {
    const earlier = await loginFrom('127.0.0.1', 'admin@example.test', 'correct horse battery');
    const device = earlier.setCookie.find((c) => c.startsWith('tether_device='))!.split(';')[0]!;
    // Guesses from ever new addresses, until the account itself is throttled (a throttled try does
    // not count as a failure, so the delay only grows with real failures: stop at the first).
    let throttledAt = 0;
    for (let i = 1; i <= 30 && !throttledAt; i++) {
      if ((await loginFrom(`127.0.1.${i}`, 'admin@example.test', `guess ${i}`)).status === 429) throttledAt = i;
    }
    expect(throttledAt).toBeGreaterThan(3);
    expect((await loginFrom('127.0.0.1', 'admin@example.test', 'correct horse battery', device)).status).toBe(200);
    // A forged device cookie counts for nothing: that try is throttled like any stranger's.
    await loginFrom('127.0.1.99', 'admin@example.test', 'one more guess');
    expect((await loginFrom('127.0.0.1', 'admin@example.test', 'correct horse battery', `tether_device=${Date.now()}.forged`)).status).toBe(429);
  });

  it('20 failures from one address do not shut its other users out', async () => {
    const earlier = await loginFrom('127.0.2.1', 'carol@example.test', 'carol password 1');
    const device = earlier.setCookie.find((c) => c.startsWith('tether_device='))!.split(';')[0]!;
    for (let i = 0; i < 20; i++) await loginFrom('127.0.2.1', `someone${i}@example.test`, 'wrong password');
    expect((await loginFrom('127.0.2.1', 'carol@example.test', 'carol password 1', device)).status).toBe(200);
    const stranger = await loginFrom('127.0.2.1', 'carol@example.test', 'carol password 1');
    expect(stranger.status).toBe(429);
    expect(Number(stranger.retryAfter)).toBeLessThanOrEqual(30);
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
