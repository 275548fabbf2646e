// Server-local clone sources: admins anywhere, members only under TETHER_GIT_LOCAL_ROOTS, and one
// answer for everything refused or missing, so the API is no oracle for host directories.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';

async function gitRepo(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
  git('init', '-q');
  await fs.writeFile(path.join(dir, 'README.md'), `${path.basename(dir)}\n`);
  git('add', '.');
  git('commit', '-qm', 'first');
  return dir;
}

describe('cloning repositories that are paths on the server', () => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let host: string;
  let allowed: string;
  let outside: string;
  beforeAll(async () => {
    host = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-local-clone-'));
    await fs.chmod(host, 0o755);
    const roots = path.join(host, 'roots');
    allowed = await gitRepo(path.join(roots, 'team', 'allowed'));
    outside = await gitRepo(path.join(host, 'private', 'outside'));
    await fs.symlink(outside, path.join(roots, 'team', 'link-out'));
    app = await startTestApp('sqlite', { TETHER_GIT_LOCAL_ROOTS: `${path.join(roots, 'team')}, /nonexistent/root` });
    ({ admin, member } = await setupAdminAndMember(app));
  });
  afterAll(async () => {
    await app?.close();
    if (host) await fs.rm(host, { recursive: true, force: true });
  });

  const refusal = (url: string) => `Cannot clone ${url}: it is not a repository on this server that you may clone. Server-local repositories can be cloned by admins, and by members only from the directories an admin configured (TETHER_GIT_LOCAL_ROOTS).`;

  it('lets a member clone a repository under a configured root', async () => {
    const s = await createProvisionedSession(member, { kind: 'git', url: allowed });
    expect(s.workspace.status).toBe('ready');
    const r = await member.query('files.read', { sessionId: s.id, path: 'README.md' });
    expect((r.data as { content: string }).content).toBe('allowed\n');
  });

  it('refuses members everything else with one message, whether or not it exists', async () => {
    const attempts = [
      outside, // world-readable repository outside the roots
      process.cwd(), // the server's own checkout
      path.join(host, 'private', 'missing'), // does not exist, outside
      path.join(path.dirname(allowed), 'missing'), // does not exist, inside
      path.join(path.dirname(allowed), 'link-out'), // inside, but a symlink leading out
      `${path.dirname(allowed)}/../../private/outside`, // .. out of the root
      '/etc', '/root', '/nonexistent/root',
    ];
    const before = await app.services.db.workspace.count();
    for (const url of attempts) {
      const r = await member.mutate('sessions.create', { title: 'peek', source: { kind: 'git', url } });
      expect(r.error, url).toEqual({ code: 'FORBIDDEN', message: refusal(url) });
    }
    expect(await app.services.db.workspace.count()).toBe(before);
  });

  it('lets an admin clone a repository anywhere, but not learn what is missing', async () => {
    const s = await createProvisionedSession(admin, { kind: 'git', url: outside });
    expect(s.workspace.status).toBe('ready');
    const missing = path.join(host, 'private', 'missing');
    const r = await admin.mutate('sessions.create', { title: 'missing', source: { kind: 'git', url: missing } });
    expect(r.error).toEqual({ code: 'FORBIDDEN', message: refusal(missing) });
  });
});
