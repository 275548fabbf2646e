// Upload and download over HTTP on a real sandboxed workspace: bytes arrive exactly and belong to
// the workspace uid, every guard answers in words (sign-in, access, CSRF, size, paths, existing
// files), and a folder comes back as a zip with its files, nested and empty folders, no symlinks.
import { lstatSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieFrom, createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';

const MIB = 1024 * 1024;

describe('file upload and download', () => {
  let app: TestApp;
  let member: ApiClient;
  let memberCookie: string;
  let otherCookie: string;
  let sessionId: string;
  let workspaceDir: string;
  let uid: number;

  const upload = (p: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}, cookie: string | null = memberCookie) =>
    fetch(`${app.url}/api/files/upload?sessionId=${sessionId}&path=${encodeURIComponent(p)}`, {
      method: 'POST', body,
      headers: { origin: app.url, 'content-type': 'application/octet-stream', ...(cookie ? { cookie } : {}), ...headers },
    });
  const download = (p: string, cookie: string | null = memberCookie, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/api/files/download?sessionId=${sessionId}&path=${encodeURIComponent(p)}`, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
  /**
   * A refused upload is answered before its body is read, and the connection closed after a moment;
   * like a browser, this client reads that early answer even if sending the rest then fails.
   */
  const uploadEarlyAnswer = (p: string, body: Buffer) => new Promise<{ status: number; error: string }>((resolve, reject) => {
    const req = request(`${app.url}/api/files/upload?sessionId=${sessionId}&path=${encodeURIComponent(p)}`, {
      method: 'POST', headers: { origin: app.url, 'content-type': 'application/octet-stream', cookie: memberCookie, 'content-length': body.length },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode!, error: (JSON.parse(text) as { error: string }).error }));
    });
    req.on('error', (err) => { if (!req.writableEnded) reject(err); });
    req.end(body);
  });
  const errorOf = async (r: Response) => ((await r.json()) as { error: string }).error;

  beforeAll(async () => {
    app = await startTestApp('sqlite', { TETHER_MAX_UPLOAD_BYTES: String(MIB) });
    const people = await setupAdminAndMember(app);
    member = people.member;
    memberCookie = people.memberCookie;
    await people.admin.mutate('admin.createUser', { email: 'other@example.test', name: 'Other', password: 'other password 1', role: 'member' });
    otherCookie = cookieFrom(await app.api.mutate('auth.login', { email: 'other@example.test', password: 'other password 1' }))!;
    const session = await createProvisionedSession(member);
    sessionId = session.id;
    uid = session.workspace.uid;
    workspaceDir = (await app.provider.paths(session.workspace.id))!.files;
    // Start the workspace host now: its cold start (seconds on a loaded machine) would otherwise
    // idle the client's pooled connections past the server's keep-alive inside the first test.
    await member.query('files.list', { sessionId, path: '' });
  }, 60_000);
  afterAll(async () => { await app?.close(); });

  it('writes the exact bytes as the workspace user and records the change', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7919) % 256);
    const r = await upload('pic.bin', bytes);
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ path: 'pic.bin', size: bytes.length });
    expect(lstatSync(path.join(workspaceDir, 'pic.bin')).uid).toBe(uid);
    const back = await download('pic.bin');
    expect(back.headers.get('content-disposition')).toContain('filename="pic.bin"');
    // Compared as one buffer: an element-wise deep equal of 300,000 numbers takes seconds.
    expect(Buffer.from(await back.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    const events = (await member.query('sessions.events', { sessionId })).data as { type: string; payload: { path?: string } }[];
    expect(events.some((e) => e.type === 'file.changed' && e.payload.path === 'pic.bin')).toBe(true);
  });

  it('refuses in words: too large, existing file, bad paths, missing folder', async () => {
    expect(await uploadEarlyAnswer('big.bin', Buffer.alloc(MIB + 1))).toEqual({ status: 413, error: 'big.bin is too large to upload: at most 1 MiB.' });
    const again = await upload('pic.bin', new Uint8Array([1]));
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toMatch(/Already exists/);
    for (const p of ['../escape.txt', '/etc/x', '%2e%2e/x', '']) expect((await upload(p, new Uint8Array([1]))).status).toBe(400);
    expect((await upload('no/such/dir/x.txt', new Uint8Array([1]))).status).toBe(404);
  });

  it('refuses strangers, other sites and form posts', async () => {
    expect((await upload('a.txt', new Uint8Array([1]), {}, null)).status).toBe(401);
    const foreign = await upload('a.txt', new Uint8Array([1]), {}, otherCookie);
    expect(foreign.status).toBe(404);
    expect((await download('pic.bin', otherCookie)).status).toBe(404);
    expect((await upload('a.txt', new Uint8Array([1]), { origin: 'https://evil.example' })).status).toBe(403);
    expect((await upload('a.txt', new Uint8Array([1]), { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await download('pic.bin', memberCookie, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(lstatSync(path.join(workspaceDir, 'a.txt'), { throwIfNoEntry: false })).toBeUndefined();
  });

  it('downloads a folder as a zip: nested files and empty folders, symlinks left out', async () => {
    await member.mutate('files.create', { sessionId, path: 'src', kind: 'dir' });
    await member.mutate('files.create', { sessionId, path: 'src/lib', kind: 'dir' });
    await member.mutate('files.create', { sessionId, path: 'src/empty', kind: 'dir' });
    await member.mutate('files.write', { sessionId, path: 'src/main.ts', content: 'export const x = 1;\n' });
    await member.mutate('files.write', { sessionId, path: 'src/lib/util.ts', content: 'export {};\n' });
    symlinkSync('/etc/passwd', path.join(workspaceDir, 'src', 'passwd-link'));
    const r = await download('src');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    expect(r.headers.get('content-disposition')).toContain('filename="src.zip"');
    const entries = unzipSync(new Uint8Array(await r.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(['empty/', 'lib/', 'lib/util.ts', 'main.ts']);
    expect(new TextDecoder().decode(entries['main.ts'])).toBe('export const x = 1;\n');
    const all = unzipSync(new Uint8Array(await (await download('')).arrayBuffer()));
    expect(Object.keys(all)).toEqual(expect.arrayContaining(['pic.bin', 'src/main.ts', 'src/lib/util.ts']));
  });

  it('never follows a symbolic link out of the workspace', async () => {
    symlinkSync('/etc/passwd', path.join(workspaceDir, 'leak'));
    const r = await download('leak');
    expect(r.status).toBe(400);
    expect(await errorOf(r)).toBe('leak is not a file or a folder.');
  });

  it('says when a download does not exist', async () => {
    const r = await download('nope.txt');
    expect(r.status).toBe(404);
    expect(await errorOf(r)).toMatch(/No such file/);
  });
});
