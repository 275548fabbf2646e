// The git panel's API on a real sandboxed workspace: status, the diff's two sides, stage,
// unstage, commit as the caller, branches, log; and push through the policy gate (waits for an
// admin's approval, then pushes; a deny rule refuses it at once). Real server, database and git.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';

interface Status { repository: boolean; branch: string | null; files: { path: string; staged: string | null; unstaged: string | null; untracked: boolean }[] }

describe('the git panel API', () => {
  let app: TestApp;
  let member: ApiClient;
  let admin: ApiClient;
  let sessionId: string;
  let exec: (command: string) => Promise<string>;

  const status = async () => (await member.query('git.status', { sessionId })).data as Status;
  const ok = async (p: Promise<{ error: unknown; data: unknown }>) => {
    const r = await p;
    expect(r.error).toBeNull();
    return r.data;
  };

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    ({ member, admin } = await setupAdminAndMember(app));
    const session = await createProvisionedSession(member);
    sessionId = session.id;
    const row = await app.testDb.db.workspace.findUniqueOrThrow({ where: { id: session.workspace.id } });
    const ws = await app.services.workspaces.get(row);
    exec = async (command) => {
      const r = await ws.exec(command);
      if (r.exitCode !== 0) throw new Error(`${command}: ${r.stderr}`);
      return r.stdout;
    };
  }, 60_000);
  afterAll(async () => { await app?.close(); });

  it('says when the workspace is not a repository, and makes it one', async () => {
    expect(await status()).toEqual({ repository: false });
    await ok(member.mutate('git.init', { sessionId }));
    expect(await status()).toMatchObject({ repository: true, branch: 'main', files: [] });
  });

  it('shows untracked, staged and unstaged changes with both sides of each diff', async () => {
    await ok(member.mutate('files.write', { sessionId, path: 'a.txt', content: 'one\n' }));
    expect((await status()).files).toEqual([{ path: 'a.txt', staged: null, unstaged: null, untracked: true, conflicted: false }]);
    expect(await ok(member.query('git.fileVersions', { sessionId, path: 'a.txt', staged: false })))
      .toEqual({ path: 'a.txt', original: { kind: 'absent' }, modified: { kind: 'text', content: 'one\n' } });

    await ok(member.mutate('git.stage', { sessionId, paths: ['a.txt'] }));
    await ok(member.mutate('files.write', { sessionId, path: 'a.txt', content: 'one\ntwo\n' }));
    expect((await status()).files).toMatchObject([{ path: 'a.txt', staged: 'A', unstaged: 'M', untracked: false }]);
    expect(await ok(member.query('git.fileVersions', { sessionId, path: 'a.txt', staged: true })))
      .toMatchObject({ original: { kind: 'absent' }, modified: { kind: 'text', content: 'one\n' } });
    expect(await ok(member.query('git.fileVersions', { sessionId, path: 'a.txt', staged: false })))
      .toMatchObject({ original: { kind: 'text', content: 'one\n' }, modified: { kind: 'text', content: 'one\ntwo\n' } });

    // Unstaging before the first commit takes the file out of the index again.
    await ok(member.mutate('git.unstage', { sessionId, paths: ['a.txt'] }));
    expect((await status()).files).toMatchObject([{ path: 'a.txt', untracked: true }]);
  });

  it('refuses paths outside the workspace and pathspec tricks before git runs', async () => {
    for (const path of ['../etc/passwd', '/etc/passwd', 'a\\b', '']) {
      expect((await member.mutate('git.stage', { sessionId, paths: [path] })).error?.code).toBe('BAD_REQUEST');
    }
    // Taken literally: a file named like pathspec magic matches nothing, so git says so.
    expect((await member.mutate('git.stage', { sessionId, paths: [':(glob)**'] })).error?.message).toMatch(/did not match any files/);
    expect((await status()).files.filter((f) => !f.untracked)).toEqual([]);
  });

  it('commits what is staged as the person, and the log shows it', async () => {
    expect((await member.mutate('git.commit', { sessionId, message: 'nothing yet' })).error?.message).toMatch(/Nothing is staged/);
    expect((await member.mutate('git.commit', { sessionId, message: '   ' })).error?.code).toBe('BAD_REQUEST');
    await ok(member.mutate('git.stage', { sessionId, paths: ['a.txt'] }));
    const { hash } = await ok(member.mutate('git.commit', { sessionId, message: 'Add a.txt\n\nwith "quotes" and $(no expansion)' })) as { hash: string };
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect((await status()).files).toEqual([]);
    const log = await ok(member.query('git.log', { sessionId })) as { hash: string; subject: string; author: string }[];
    expect(log).toEqual([expect.objectContaining({ hash, subject: 'Add a.txt', author: 'Max Member' })]);
    expect(await exec('git log -1 --format=%B%ae')).toBe('Add a.txt\n\nwith "quotes" and $(no expansion)\nmember@example.test\n');
    // Each change from the panel is in the session's stream, with who made it.
    const memberRow = await app.testDb.db.user.findFirstOrThrow({ where: { email: 'member@example.test' } });
    const changes = await app.testDb.db.event.findMany({ where: { sessionId, type: 'git.changed' }, orderBy: { seq: 'asc' } });
    expect(changes.map((e) => [e.payload, e.actorId])).toEqual(expect.arrayContaining([
      [{ action: 'stage', detail: 'a.txt' }, memberRow.id],
      [{ action: 'commit', detail: 'Add a.txt' }, memberRow.id],
    ]));
  });

  it('creates and switches branches, refusing names git would read as options', async () => {
    await ok(member.mutate('git.switchBranch', { sessionId, name: 'feature/x', create: true }));
    expect(await ok(member.query('git.branches', { sessionId }))).toEqual({ current: 'feature/x', branches: ['feature/x', 'main'] });
    await ok(member.mutate('git.switchBranch', { sessionId, name: 'main' }));
    expect((await status()).branch).toBe('main');
    expect((await member.mutate('git.switchBranch', { sessionId, name: '--orphan', create: true })).error?.code).toBe('BAD_REQUEST');
    expect((await member.mutate('git.switchBranch', { sessionId, name: 'nope' })).error?.message).toMatch(/git switch failed/);
  });

  it('is refused to callers who cannot see the session', async () => {
    expect((await app.api.query('git.status', { sessionId })).error?.code).toBe('UNAUTHORIZED');
    await admin.mutate('admin.createUser', { email: 'other@example.test', name: 'Other', password: 'other password 1', role: 'member' });
    const login = await app.api.mutate('auth.login', { email: 'other@example.test', password: 'other password 1' });
    const other = app.api.as(login.setCookie[0]!.split(';')[0]);
    expect((await other.mutate('git.commit', { sessionId, message: 'x' })).error?.code).toBe('NOT_FOUND');
  });

  it('pushes only after an admin approves, and records every step', async () => {
    await exec('git init --quiet --bare /workspace/.remote.git && git remote add origin /workspace/.remote.git');
    const asked = await ok(member.mutate('git.push', { sessionId, branch: 'main' })) as { status: string };
    expect(asked.status).toBe('waiting');
    const approval = await expect.poll(() => app.testDb.db.approval.findFirst({ where: { sessionId, tool: 'git' } })).toBeTruthy()
      .then(() => app.testDb.db.approval.findFirstOrThrow({ where: { sessionId, tool: 'git' } }));
    expect(approval.risk).toBe('high');
    // Nothing left the workspace yet.
    expect(await exec('git --git-dir=/workspace/.remote.git for-each-ref')).toBe('');
    // The member who asked cannot approve their own push.
    expect((await member.mutate('approvals.decide', { sessionId, approvalId: approval.id, approve: true })).error?.code).toBe('FORBIDDEN');
    await ok(admin.mutate('approvals.decide', { sessionId, approvalId: approval.id, approve: true }));
    const pushes = async () => ((await member.query('sessions.events', { sessionId })).data as { type: string; payload: { status: string } }[])
      .filter((e) => e.type === 'git.push').map((e) => e.payload.status);
    await expect.poll(pushes, { timeout: 15_000 }).toEqual(['waiting', 'pushed']);
    expect(await exec('git --git-dir=/workspace/.remote.git log --format=%s main')).toBe('Add a.txt\n');
  });

  it('a deny rule refuses a push at once', async () => {
    await ok(admin.mutate('policy.addRule', { action: 'deny', tool: 'git', pattern: 'push *' }));
    const r = await ok(member.mutate('git.push', { sessionId, branch: 'main' })) as { status: string; reason: string };
    expect(r).toMatchObject({ status: 'denied' });
    expect(r.reason).toMatch(/push \*/);
  });
});
