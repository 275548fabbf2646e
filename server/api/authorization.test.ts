import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import { appRouter } from './root.ts';

/** The only procedures an anonymous caller may reach. Adding to this list is a security decision. */
// auth.resetPassword: the one-time token from an admin's link is the credential (server/auth/passwords.ts).
const PUBLIC = new Set(['auth.status', 'auth.setup', 'auth.login', 'auth.logout', 'auth.resetPassword']);

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation'; meta?: { access?: string }; inputs: unknown[] } }>)
  .map(([path, p]) => ({ path, type: p._def.type, access: p._def.meta?.access, takesInput: p._def.inputs.length > 0 }));

const call = (client: ApiClient, p: { path: string; type: string }) =>
  p.type === 'query' ? client.query(p.path, {}) : client.mutate(p.path, {});

describe.each(testProviders)('API authorization on %s', (provider) => {
  let app: TestApp;
  let member: ApiClient;
  let admin: ApiClient;
  beforeAll(async () => {
    app = await startTestApp(provider);
    ({ admin, member } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); });

  it('declares who may call every procedure, and only the sign-in procedures are public', () => {
    expect(procedures.length).toBeGreaterThan(8);
    expect(procedures.filter((p) => !p.access)).toEqual([]);
    expect(procedures.filter((p) => p.access === 'public').map((p) => p.path).sort()).toEqual([...PUBLIC].sort());
    expect(procedures.filter((p) => p.path.startsWith('admin.')).every((p) => p.access === 'admin')).toBe(true);
  });

  it.each(procedures.filter((p) => !PUBLIC.has(p.path)))('refuses an anonymous caller: $path', async (p) => {
    const r = await call(app.api, p);
    expect(r.status).toBe(401);
    expect(r.error?.code).toBe('UNAUTHORIZED');
  });

  // The bad-input battery: a number where every procedure expects an object. Each one answers in
  // words (zod's message), never an internal error; a viewer's token is part of its input, so a
  // viewer procedure may refuse it as an unknown link instead.
  it.each(procedures.filter((p) => p.takesInput))('answers bad input in words, never an internal error: $path', async (p) => {
    const res = p.type === 'query' ? await admin.query(p.path, 42) : await admin.mutate(p.path, 42);
    expect(res.error, p.path).not.toBeNull();
    expect(res.error!.message.length).toBeGreaterThan(0);
    if (p.access === 'viewer') expect(res.error!.code).not.toBe('INTERNAL_SERVER_ERROR');
    else expect(res.error!.code).toBe('BAD_REQUEST');
  });

  it.each(procedures.filter((p) => p.access === 'admin'))('refuses a member: $path', async (p) => {
    const r = await call(member, p);
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('FORBIDDEN');
  });

  it('lets the admin list users, and never returns password hashes', async () => {
    const r = await admin.query('admin.users');
    expect(r.status).toBe(200);
    expect((r.data as { email: string }[]).map((u) => u.email).sort()).toEqual(['admin@example.test', 'member@example.test']);
    expect(JSON.stringify(r.data)).not.toMatch(/argon2|passwordHash/);
  });

  it('closes setup once an admin exists', async () => {
    const r = await app.api.mutate('auth.setup', { email: 'evil@example.test', name: 'Eve', password: 'another password' });
    expect(r.status).toBe(403);
    expect(r.error?.message).toMatch(/already set up/);
    expect((await app.api.query('auth.status')).data).toMatchObject({ needsSetup: false, user: null });
  });

  it('validates input with clear messages', async () => {
    const r = await admin.mutate('admin.createUser', { email: 'not-an-email', name: 'X', password: 'short' });
    expect(r.status).toBe(400);
    expect(r.error?.message).toMatch(/valid email/);
    expect(r.error?.message).toMatch(/at least 10 characters/);
  });

  it('keeps one member out of another member\'s sessions (and the admin sees them)', async () => {
    const created = await member.mutate('sessions.create', { title: 'private work' });
    const id = (created.data as { id: string }).id;
    const other = await admin.mutate('admin.createUser', { email: 'other@example.test', name: 'Olga', password: 'olga password 1' });
    expect(other.error).toBeNull();
    const login = await app.api.mutate('auth.login', { email: 'other@example.test', password: 'olga password 1' });
    const olga = app.api.as(login.setCookie[0]!.split(';')[0]);
    expect((await olga.query('sessions.get', { id })).error?.code).toBe('NOT_FOUND');
    expect((await olga.query('sessions.events', { sessionId: id })).error?.code).toBe('NOT_FOUND');
    expect((await olga.mutate('sessions.stop', { id })).error?.code).toBe('NOT_FOUND');
    for (const path of ['sessions.rename', 'sessions.restart', 'sessions.retry', 'sessions.delete']) {
      expect((await olga.mutate(path, { id, title: 'mine now' })).error?.code, path).toBe('NOT_FOUND');
    }
    expect((await olga.query('sessions.list')).data).toEqual([]);
    expect((await admin.query('sessions.get', { id })).status).toBe(200);
    const events = await member.query('sessions.events', { sessionId: id });
    expect((events.data as { type: string }[])[0]?.type).toBe('session.created');
  });

  it('disabling a user ends their sign-in at once', async () => {
    const created = await admin.mutate('admin.createUser', { email: 'temp@example.test', name: 'Tim', password: 'tim password 12' });
    const login = await app.api.mutate('auth.login', { email: 'temp@example.test', password: 'tim password 12' });
    const tim = app.api.as(login.setCookie[0]!.split(';')[0]);
    expect((await tim.query('sessions.list')).status).toBe(200);
    await admin.mutate('admin.setDisabled', { userId: (created.data as { id: string }).id, disabled: true });
    expect((await tim.query('sessions.list')).status).toBe(401);
    expect((await app.api.mutate('auth.login', { email: 'temp@example.test', password: 'tim password 12' })).status).toBe(401);
  });
});
