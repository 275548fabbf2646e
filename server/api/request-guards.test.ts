import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';
import { appRouter } from './root.ts';
import { MAX_API_BODY_BYTES } from './request-guards.ts';

const mutations = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
  .filter(([, p]) => p._def.type === 'mutation').map(([path]) => path);

/** Every table's rows: a refused request must leave all of them as they were. */
async function snapshot(app: TestApp): Promise<string> {
  const tables = await app.services.db.$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  const rows: Record<string, unknown> = {};
  for (const { name } of tables) rows[name] = await app.services.db.$queryRawUnsafe(`SELECT * FROM "${name}"`);
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The simple-request bodies a foreign page can post without a CORS preflight. */
const simpleBodies: Record<string, (json: string) => BodyInit> = {
  'multipart/form-data': (json) => { const f = new FormData(); f.set('json', json); return f; },
  'application/x-www-form-urlencoded': (json) => new URLSearchParams({ json }),
  'text/plain': (json) => new Blob([json], { type: 'text/plain' }),
};

describe('cross-site request forgery', () => {
  let app: TestApp;
  let adminCookie: string;
  /** Inputs that each mutation would accept, so a refusal is the guard's doing, not validation's. */
  let inputs: Record<string, unknown>;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    const accounts = await setupAdminAndMember(app);
    adminCookie = accounts.adminCookie;
    const session = await createProvisionedSession(accounts.admin);
    expect(session.workspace.status).toBe('ready');
    expect((await accounts.admin.mutate('files.write', { sessionId: session.id, path: 'a.txt', content: 'a' })).error).toBeNull();
    const users = (await accounts.admin.query('admin.users')).data as { id: string; email: string }[];
    const memberId = users.find((u) => u.email === 'member@example.test')!.id;
    const sessionId = session.id;
    inputs = {
      'auth.setup': { email: 'eve@example.test', name: 'Eve', password: 'eve password 1' },
      'auth.login': { email: 'admin@example.test', password: 'correct horse battery' },
      'admin.createUser': { email: 'eve@example.test', name: 'Eve', password: 'eve password 1', role: 'admin' },
      'admin.setRole': { userId: memberId, role: 'admin' },
      'admin.setDisabled': { userId: memberId, disabled: true },
      'sessions.create': { title: 'forged' },
      'sessions.setNetwork': { id: sessionId, allowed: true },
      'sessions.stop': { id: sessionId },
      'files.write': { sessionId, path: 'a.txt', content: 'forged' },
      'files.create': { sessionId, path: 'forged', kind: 'dir' },
      'files.rename': { sessionId, from: 'a.txt', to: 'b.txt' },
      'files.delete': { sessionId, path: 'a.txt' },
      'agent.send': { sessionId, text: 'forged' },
      'agent.stop': { sessionId },
      'models.setRoutes': { routes: ['openai:forged'] },
    };
  });
  afterAll(async () => { await app?.close(); });

  const post = (procedure: string, body: BodyInit, headers: Record<string, string>) =>
    fetch(`${app.url}/api/trpc/${procedure}`, { method: 'POST', body, headers: { cookie: adminCookie, ...headers } });
  const json = (procedure: string) => JSON.stringify({ json: inputs[procedure] ?? null });

  it('enumerates the mutations', () => {
    expect(mutations.length).toBeGreaterThan(15);
    expect(mutations).toContain('models.resetRoutes');
  });

  it('refuses every mutation from a foreign origin and every non-JSON body, changing nothing', async () => {
    const before = await snapshot(app);
    const refused: string[] = [];
    const expectRefused = async (what: string, r: Response, status: number, message: RegExp) => {
      const body = (await r.json()) as { error?: { json: { message: string } } };
      if (r.status !== status || !message.test(body.error?.json.message ?? '')) refused.push(`${what}: ${r.status} ${JSON.stringify(body).slice(0, 120)}`);
    };
    for (const procedure of mutations) {
      const evil = { origin: 'https://evil.example' };
      await expectRefused(`${procedure} foreign JSON`, await post(procedure, json(procedure), { ...evil, 'content-type': 'application/json' }), 403, /other sites/);
      await expectRefused(`${procedure} cross-site fetch`, await post(procedure, json(procedure), { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }), 403, /other sites/);
      await expectRefused(`${procedure} null origin`, await post(procedure, json(procedure), { origin: 'null', 'content-type': 'application/json' }), 403, /other sites/);
      for (const [type, encode] of Object.entries(simpleBodies)) {
        await expectRefused(`${procedure} foreign ${type}`, await post(procedure, encode(json(procedure)), evil), 403, /other sites/);
        await expectRefused(`${procedure} same-origin ${type}`, await post(procedure, encode(json(procedure)), { origin: app.url, 'sec-fetch-site': 'same-origin' }), 415, /application\/json/);
      }
    }
    expect(refused).toEqual([]);
    expect(await snapshot(app)).toBe(before);
  });

  it('still accepts same-origin JSON from the browser and JSON from non-browser clients', async () => {
    const browser = await post('models.resetRoutes', JSON.stringify({ json: { task: 'agent' } }), { origin: app.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' });
    expect(browser.status).toBe(200);
    const created = await post('sessions.create', JSON.stringify({ json: { title: 'mine' } }), { origin: app.url, 'content-type': 'application/json; charset=utf-8' });
    expect(created.status).toBe(200);
    const script = await post('sessions.create', JSON.stringify({ json: { title: 'from a script' } }), { 'content-type': 'application/json' });
    expect(script.status).toBe(200);
  });
});

/** A raw request, so the test controls Content-Length and chunking and sees the early answer. */
function rawPost(url: string, procedure: string, opts: { headers?: Record<string, string>; chunks: number; chunkBytes: number }) {
  return new Promise<{ status: number; body: string; sentBytes: number }>((resolve, reject) => {
    let sentBytes = 0;
    const req = request(`${url}/api/trpc/${procedure}`, { method: 'POST', headers: { 'content-type': 'application/json', ...opts.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => { req.destroy(); resolve({ status: res.statusCode ?? 0, body, sentBytes }); });
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
    const chunk = Buffer.alloc(opts.chunkBytes, 'a');
    let left = opts.chunks;
    const pump = () => {
      while (left > 0 && !req.destroyed) {
        left--;
        sentBytes += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (left === 0 && !req.destroyed) req.end();
    };
    pump();
  });
}

describe('request body limits', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp('sqlite', { TETHER_MAX_UPLOAD_BYTES: String(4 * 1024 * 1024) }); });
  afterAll(async () => { await app?.close(); });

  it('refuses an oversized anonymous sign-in by its Content-Length before reading it', async () => {
    const r = await rawPost(app.url, 'auth.login', { headers: { 'content-length': String(100 * 1024 * 1024) }, chunks: 1, chunkBytes: 64 * 1024 });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.json.message).toBe('The request is too large (at most 1 MiB).');
  });

  it('stops reading a chunked body as soon as it passes the limit', async () => {
    const r = await rawPost(app.url, 'auth.login', { chunks: 1600, chunkBytes: 64 * 1024 }); // 100 MiB, no Content-Length
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.json.data.code).toBe('PAYLOAD_TOO_LARGE');
    // The answer came long before the client had sent it all.
    expect(r.sentBytes).toBeLessThan(50 * 1024 * 1024);
  });

  it('answers each call of a batch, so the browser shows the message', async () => {
    const r = await rawPost(app.url, 'auth.status,auth.login?batch=1', { chunks: 20, chunkBytes: 64 * 1024 });
    expect(r.status).toBe(413);
    expect((JSON.parse(r.body) as unknown[]).length).toBe(2);
  });

  it('lets file saves up to the configured upload limit through, and no further', async () => {
    const { admin } = await setupAdminAndMember(app);
    const session = await createProvisionedSession(admin);
    const save = (chars: number) => admin.mutate('files.write', { sessionId: session.id, path: 'big.txt', content: 'x'.repeat(chars) });
    expect((await save(2 * MAX_API_BODY_BYTES)).status).toBe(200);
    const over = await save(4 * 1024 * 1024);
    expect(over.status).toBe(413);
    expect(over.error?.message).toBe('The request is too large (at most 4 MiB).');
    // Other calls keep the small limit even for a signed-in user.
    expect((await admin.mutate('sessions.create', { title: 'x'.repeat(2 * MAX_API_BODY_BYTES) })).status).toBe(413);
  });
});
