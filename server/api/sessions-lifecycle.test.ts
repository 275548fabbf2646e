// The dashboard's procedures: who sees which sessions, search and sort, rename, stop/restart,
// retrying a failed clone, and delete — which hides a session but keeps its audit records.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySessionChain, verifyTeamChain } from '../audit/verify.ts';
import { DEFAULT_TEAM_ID } from '../auth/accounts.ts';
import { cookieFrom, createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';

interface Listed { id: string; title: string; status: string; owner: { email: string }; workspace: { status: string } | null }

describe.each(testProviders)('session lifecycle on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let other: ApiClient;
  let host: string;
  const list = async (api: ApiClient, input: object = {}) => {
    const r = await api.query('sessions.list', input);
    if (r.error) throw new Error(r.error.message);
    return r.data as Listed[];
  };
  const titles = async (api: ApiClient, input: object = {}) => (await list(api, input)).map((s) => s.title);

  beforeAll(async () => {
    host = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-lifecycle-'));
    await fs.chmod(host, 0o755);
    app = await startTestApp(provider);
    ({ admin, member } = await setupAdminAndMember(app));
    await admin.mutate('admin.createUser', { email: 'olga@example.test', name: 'Olga Other', password: 'olga password 1' });
    other = app.api.as(cookieFrom(await app.api.mutate('auth.login', { email: 'olga@example.test', password: 'olga password 1' })));
  });
  afterAll(async () => {
    await app?.close();
    if (host) await fs.rm(host, { recursive: true, force: true });
  });

  it('lists a member\'s own sessions and an admin\'s whole team, with owners; search and sort', async () => {
    // One after the other, each provisioned, so their last activity is in creation order.
    await createProvisionedSession(member, { kind: 'empty' }, 'Zebra migration');
    await createProvisionedSession(member, { kind: 'empty' }, 'alpha docs');
    await createProvisionedSession(other, { kind: 'empty' }, 'Olga private');
    expect(await titles(member, { sort: 'title' })).toEqual(['alpha docs', 'Zebra migration']);
    expect(await titles(other)).toEqual(['Olga private']);
    const team = await list(admin, { sort: 'owner' });
    expect(team.map((s) => [s.owner.email, s.title])).toEqual([
      // Ties go to the most recent activity.
      ['member@example.test', 'alpha docs'], ['member@example.test', 'Zebra migration'], ['olga@example.test', 'Olga private'],
    ]);
    // Newest activity first by default; search matches title and owner, case-insensitively, every word.
    expect(await titles(member)).toEqual(['alpha docs', 'Zebra migration']);
    expect(await titles(admin, { search: 'ZEBRA' })).toEqual(['Zebra migration']);
    expect(await titles(admin, { search: 'olga' })).toEqual(['Olga private']);
    expect(await titles(admin, { search: 'max migration' })).toEqual(['Zebra migration']);
    expect(await titles(member, { search: 'olga' })).toEqual([]);
    expect((await member.query('sessions.list', { sort: 'random' })).error?.code).toBe('BAD_REQUEST');
  });

  it('renames a session with an event, and validates the title', async () => {
    const { id } = (await list(member, { search: 'alpha' }))[0]!;
    expect((await member.mutate('sessions.rename', { id, title: '  ' })).error?.message).toMatch(/Give the session a title/);
    expect((await member.mutate('sessions.rename', { id, title: 'Alpha documentation' })).data).toEqual({ id, title: 'Alpha documentation' });
    // The activity moved it to the top.
    expect((await titles(member))[0]).toBe('Alpha documentation');
    const events = (await member.query('sessions.events', { sessionId: id })).data as { type: string; payload: unknown }[];
    expect(events.at(-1)).toMatchObject({ type: 'session.renamed', payload: { title: 'Alpha documentation' } });
  });

  it('stops and restarts a session on the files it kept', async () => {
    const s = await createProvisionedSession(member, { kind: 'empty' }, 'Restart me');
    expect((await member.mutate('files.write', { sessionId: s.id, path: 'kept.txt', content: 'still here\n' })).error).toBeNull();
    expect((await member.mutate('sessions.restart', { id: s.id })).error?.message).toBe('The session is already running.');
    expect((await member.mutate('sessions.stop', { id: s.id })).data).toEqual({ id: s.id, status: 'stopped' });
    expect((await member.mutate('files.write', { sessionId: s.id, path: 'x.txt', content: 'no' })).error?.code).toBe('PRECONDITION_FAILED');
    expect((await member.mutate('sessions.restart', { id: s.id })).data).toEqual({ id: s.id, status: 'active' });
    expect((await member.query('files.read', { sessionId: s.id, path: 'kept.txt' })).data).toMatchObject({ content: 'still here\n' });
    expect((await member.mutate('files.write', { sessionId: s.id, path: 'x.txt', content: 'yes' })).error).toBeNull();
    const types = ((await member.query('sessions.events', { sessionId: s.id })).data as { type: string }[]).map((e) => e.type).filter((t) => t.startsWith('session.'));
    expect(types).toEqual(['session.created', 'session.stopped', 'session.restarted']);
  });

  it('retries a clone that failed, once what it clones exists', async () => {
    const repo = path.join(host, 'repo');
    await fs.mkdir(repo, { mode: 0o755 });
    const s = await createProvisionedSession(admin, { kind: 'git', url: repo }, 'Clone later');
    expect(s.workspace.status).toBe('failed');
    expect((await member.mutate('sessions.retry', { id: s.id })).error?.code).toBe('NOT_FOUND');
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    git('init', '-q');
    await fs.writeFile(path.join(repo, 'README.md'), 'cloned on the second try\n');
    git('add', '.');
    git('commit', '-qm', 'first');
    expect((await admin.mutate('sessions.retry', { id: s.id })).error).toBeNull();
    let status = 'provisioning';
    for (let i = 0; status === 'provisioning' && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ((await admin.query('sessions.get', { id: s.id })).data as { workspace: { status: string } }).workspace.status;
    }
    expect(status).toBe('ready');
    expect((await admin.query('files.read', { sessionId: s.id, path: 'README.md' })).data).toMatchObject({ content: 'cloned on the second try\n' });
    expect((await admin.mutate('sessions.retry', { id: s.id })).error?.message).toMatch(/Only a workspace whose creation failed/);
  });

  it('deletes a session whose clone failed', async () => {
    const missing = path.join(host, 'not-a-repo');
    await fs.mkdir(missing, { mode: 0o755 });
    const s = await createProvisionedSession(admin, { kind: 'git', url: missing }, 'Failed clone');
    expect(s.workspace.status).toBe('failed');
    expect((await admin.mutate('sessions.delete', { id: s.id })).error).toBeNull();
    expect(await titles(admin)).not.toContain('Failed clone');
  });

  it('deletes a session: gone from lists and pages, its files removed, its audit records kept and verifying', async () => {
    const s = await createProvisionedSession(member, { kind: 'empty' }, 'Delete me');
    await member.mutate('files.write', { sessionId: s.id, path: 'a.txt', content: 'bye' });
    const volume = await app.provider.paths(s.workspace.id);
    expect(volume).not.toBeNull();
    expect((await other.mutate('sessions.delete', { id: s.id })).error?.code).toBe('NOT_FOUND');
    expect((await member.mutate('sessions.delete', { id: s.id })).data).toEqual({ id: s.id });

    expect(await titles(member)).not.toContain('Delete me');
    expect(await titles(admin)).not.toContain('Delete me');
    expect((await member.query('sessions.get', { id: s.id })).error?.code).toBe('NOT_FOUND');
    expect((await admin.query('sessions.events', { sessionId: s.id })).error?.code).toBe('NOT_FOUND');
    expect((await member.mutate('sessions.delete', { id: s.id })).error?.code).toBe('NOT_FOUND');
    expect(await app.provider.paths(s.workspace.id)).toBeNull();
    expect((await app.services.db.workspace.findUniqueOrThrow({ where: { id: s.workspace.id } })).status).toBe('destroyed');

    // The history stays, chained and verifiable, and the team chain says who deleted it.
    const db = app.services.db;
    const events = await db.event.findMany({ where: { sessionId: s.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['session.created', 'session.stopped', 'session.deleted']));
    expect(events.at(-1)!.type).toBe('session.deleted');
    expect(await verifySessionChain(db, s.id)).toMatchObject({ broken: null, records: events.length });
    const entry = await db.auditEntry.findFirst({ where: { action: 'session.deleted', sessionId: s.id } });
    expect(entry).toMatchObject({ target: 'Delete me' });
    expect((await verifyTeamChain(db, DEFAULT_TEAM_ID)).broken).toBeNull();
    const audit = await admin.query('audit.list', { sessionId: s.id });
    expect(JSON.stringify(audit.data)).toContain('session.deleted');
  });
});
