import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';

describe('workspace files through the API', () => {
  let app: TestApp;
  let member: ApiClient;
  let admin: ApiClient;
  let sessionId: string;
  let workspaceDir: string;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    ({ member, admin } = await setupAdminAndMember(app));
    const session = await createProvisionedSession(member, { kind: 'template', template: 'node-ts' });
    expect(session.workspace.status).toBe('ready');
    sessionId = session.id;
    workspaceDir = (await app.provider.paths(session.workspace.id))!.files;
  });
  afterAll(async () => { await app?.close(); });

  it('lists the template, directories first', async () => {
    const r = await member.query('files.list', { sessionId, path: '' });
    expect(r.error).toBeNull();
    const names = (r.data as { name: string; type: string }[]).map((e) => e.name);
    expect(names).toContain('package.json');
    const types = (r.data as { type: string }[]).map((e) => e.type);
    expect(types.indexOf('file')).toBeGreaterThan(types.lastIndexOf('dir'));
  });

  it('reads, writes with a version check, and refuses a stale write as a conflict', async () => {
    const first = (await member.query('files.read', { sessionId, path: 'package.json' })).data as { content: string; version: string };
    expect(JSON.parse(first.content).name).toBeTruthy();
    const saved = await member.mutate('files.write', { sessionId, path: 'notes.md', content: '# one\n' });
    expect(saved.error).toBeNull();
    const v1 = (saved.data as { version: string }).version;
    expect((await member.mutate('files.write', { sessionId, path: 'notes.md', content: '# two\n', expectedVersion: v1 })).error).toBeNull();
    const stale = await member.mutate('files.write', { sessionId, path: 'notes.md', content: '# three\n', expectedVersion: v1 });
    expect(stale.error?.code).toBe('CONFLICT');
    expect(((await member.query('files.read', { sessionId, path: 'notes.md' })).data as { content: string }).content).toBe('# two\n');
  });

  it('creates, renames and deletes, recording each as an event', async () => {
    expect((await member.mutate('files.create', { sessionId, path: 'src/extra', kind: 'dir' })).error).toBeNull();
    expect((await member.mutate('files.create', { sessionId, path: 'src/extra/a.ts', kind: 'file' })).error).toBeNull();
    expect((await member.mutate('files.create', { sessionId, path: 'src/extra/a.ts', kind: 'file' })).error?.code).toBe('CONFLICT');
    expect((await member.mutate('files.rename', { sessionId, from: 'src/extra/a.ts', to: 'src/extra/b.ts' })).error).toBeNull();
    expect((await member.mutate('files.delete', { sessionId, path: 'src/extra' })).error).toBeNull();
    expect(existsSync(path.join(workspaceDir, 'src/extra'))).toBe(false);
    const events = (await member.query('sessions.events', { sessionId })).data as { type: string; payload: { change?: string } }[];
    expect(events.filter((e) => e.type === 'file.changed').map((e) => e.payload.change)).toEqual(expect.arrayContaining(['created', 'renamed', 'deleted']));
  });

  it('creates the folders a nested new-file path names, and returns the new file\'s version for its first save', async () => {
    const made = await member.mutate('files.create', { sessionId, path: 'deep/er/new.ts', kind: 'file' });
    expect(made.error).toBeNull();
    const { version } = made.data as { version: string };
    expect((await member.mutate('files.write', { sessionId, path: 'deep/er/new.ts', content: 'x\n', expectedVersion: version })).error).toBeNull();
    // Folders that already exist are fine; a file in the way is refused.
    expect((await member.mutate('files.create', { sessionId, path: 'deep/other.ts', kind: 'file' })).error).toBeNull();
    expect((await member.mutate('files.create', { sessionId, path: 'deep/other.ts/x.ts', kind: 'file' })).error).not.toBeNull();
  });

  it('refuses a save based on a file deleted since, without writing the old path back', async () => {
    const v = ((await member.mutate('files.write', { sessionId, path: 'gone.md', content: 'kept\n' })).data as { version: string }).version;
    expect((await member.mutate('files.delete', { sessionId, path: 'gone.md' })).error).toBeNull();
    expect((await member.mutate('files.write', { sessionId, path: 'gone.md', content: 'edited\n', expectedVersion: v })).error?.code).toBe('CONFLICT');
    expect(existsSync(path.join(workspaceDir, 'gone.md'))).toBe(false);
  });

  it.each([
    ['parent traversal', '../../../etc/passwd'],
    ['absolute path', '/etc/passwd'],
    ['encoded traversal', '..%2f..%2fetc%2fpasswd'],
    ['NUL byte', 'package.json\0.png'],
    ['backslash traversal', '..\\..\\etc\\passwd'],
  ])('refuses a %s with a clear error', async (_what, p) => {
    const r = await member.query('files.read', { sessionId, path: p });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(['BAD_REQUEST', 'FORBIDDEN']).toContain(r.error?.code);
    expect(r.error?.message).not.toMatch(/root:x:0/);
    const w = await member.mutate('files.write', { sessionId, path: p, content: 'pwned' });
    expect(['BAD_REQUEST', 'FORBIDDEN']).toContain(w.error?.code);
  });

  it('refuses symlinks that lead outside the workspace, for reads and writes', async () => {
    symlinkSync('/etc', path.join(workspaceDir, 'etc-link'));
    symlinkSync('/etc/passwd', path.join(workspaceDir, 'passwd-link'));
    for (const p of ['etc-link/passwd', 'passwd-link']) {
      const r = await member.query('files.read', { sessionId, path: p });
      expect(r.error?.code).toBe('FORBIDDEN');
      expect(r.error?.message).toMatch(/outside|symbolic link/i);
      expect((await member.mutate('files.write', { sessionId, path: p, content: 'x' })).error?.code).toBe('FORBIDDEN');
    }
    expect((await member.query('files.list', { sessionId, path: 'etc-link' })).error?.code).toBe('FORBIDDEN');
  });

  it("keeps other users out of the session's files", async () => {
    const other = await admin.mutate('admin.createUser', { email: 'nosy@example.test', name: 'Nosy', password: 'nosy password 1' });
    expect(other.error).toBeNull();
    const login = await app.api.mutate('auth.login', { email: 'nosy@example.test', password: 'nosy password 1' });
    const nosy = app.api.as(login.setCookie[0]!.split(';')[0]);
    expect((await nosy.query('files.read', { sessionId, path: 'package.json' })).error?.code).toBe('NOT_FOUND');
    expect((await nosy.mutate('files.write', { sessionId, path: 'x', content: 'x' })).error?.code).toBe('NOT_FOUND');
  });

  it('reports a failed clone in words and leaves nothing half-made', async () => {
    // Only admins may clone from anywhere on the server; /usr/share exists but is no repository.
    const session = await createProvisionedSession(admin, { kind: 'git', url: '/usr/share' }, 'bad clone');
    expect(session.workspace.status).toBe('failed');
    expect(session.workspace.error).toMatch(/repo|clone|not/i);
    expect(await app.provider.ids()).not.toContain(session.workspace.id);
  });
});
