// Secrets end to end on a real server, database and sandbox: encrypted at rest, write-only
// through the API, handed to the proxy only for their hosts, to processes only by rule, masked
// in what the model reads, and audited at every change and hand-out.
import { readFileSync } from 'node:fs';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import { builtinTools } from '../agent/tools/registry.ts';
import { invokeTool } from '../agent/tools/tool.ts';
import { agentWorkspace } from '../agent/workspace-adapter.ts';

const runCommand = builtinTools.find((t) => t.name === 'run_command')!;
const TOKEN = 'npm_T0kenValueThatMustNeverLeak0000000000';
const DB_PASSWORD = 'hunter2-but-longer-and-secret';

describe.each(testProviders)('workspace secrets on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let adminCookie: string;
  let workspaceId: string;

  beforeAll(async () => {
    app = await startTestApp(provider);
    ({ admin, member, adminCookie } = await setupAdminAndMember(app));
    workspaceId = (await createProvisionedSession(admin)).workspace.id;
    const a = await admin.mutate('secrets.add', { workspaceId, name: 'npm', value: TOKEN, hosts: ['registry.npmjs.org', '*.pkg.example'] });
    const b = await admin.mutate('secrets.add', { workspaceId, name: 'db-password', value: DB_PASSWORD, exposeAsEnv: 'DB_PASSWORD' });
    expect([a.error, b.error]).toEqual([null, null]);
  }, 90_000);
  afterAll(async () => { await app?.close(); });

  const audit = (action: string) => app.testDb.db.auditEntry.findMany({ where: { action }, orderBy: { createdAt: 'asc' } });

  it('keeps only ciphertext in the database, and never returns a value', async () => {
    const rows = await app.testDb.db.workspaceSecret.findMany({ where: { workspaceId } });
    expect(rows).toHaveLength(2);
    const stored = JSON.stringify(rows);
    for (const v of [TOKEN, DB_PASSWORD]) {
      expect(stored).not.toContain(v);
      expect(stored).not.toContain(Buffer.from(v).toString('base64'));
    }
    expect(rows.every((r) => r.ciphertext.startsWith('v1:'))).toBe(true);
    if (provider === 'sqlite') {
      const file = readFileSync(app.testDb.target.provider === 'sqlite' ? app.testDb.target.file : '', 'latin1');
      expect(file).not.toContain(TOKEN);
      expect(file).not.toContain(DB_PASSWORD);
    }
    const listed = await admin.query('secrets.list', { workspaceId });
    expect(listed.status).toBe(200);
    expect((listed.data as { name: string }[]).map((s) => s.name)).toEqual(['db-password', 'npm']);
    expect(JSON.stringify(listed.data)).not.toMatch(/T0kenValue|hunter2|ciphertext/);
    expect((await member.query('secrets.list', { workspaceId })).status).toBe(403);
  });

  it('a ciphertext moved to another secret no longer decrypts, so nothing is handed out', async () => {
    const npm = await app.testDb.db.workspaceSecret.findFirstOrThrow({ where: { workspaceId, name: 'npm' } });
    await admin.mutate('secrets.add', { workspaceId, name: 'moved', value: 'placeholder-value', hosts: ['moved.example'] });
    await app.testDb.db.workspaceSecret.update({ where: { workspaceId_name: { workspaceId, name: 'moved' } }, data: { ciphertext: npm.ciphertext } });
    expect(await app.services.secrets.headersFor(workspaceId, 'moved.example')).toEqual({});
    await admin.mutate('secrets.remove', { workspaceId, name: 'moved' });
  });

  it('gives the proxy a header only for the hosts a secret names, and audits each hand-out', async () => {
    const before = (await audit('secret.read')).length;
    expect(await app.services.secrets.headersFor(workspaceId, 'registry.npmjs.org')).toEqual({ Authorization: `Bearer ${TOKEN}` });
    expect(await app.services.secrets.headersFor(workspaceId, 'Mirror.PKG.example')).toEqual({ Authorization: `Bearer ${TOKEN}` });
    for (const host of ['pkg.example', 'registry.npmjs.org.evil.test', 'github.com', 'evilregistry.npmjs.org']) {
      expect(await app.services.secrets.headersFor(workspaceId, host)).toEqual({});
    }
    const reads = (await audit('secret.read')).slice(before);
    expect(reads.map((r) => [r.target, (r.detail as { host: string }).host])).toEqual([
      [`${workspaceId}/npm`, 'registry.npmjs.org'], [`${workspaceId}/npm`, 'mirror.pkg.example'],
    ]);
    expect(JSON.stringify(reads)).not.toContain(TOKEN);
  });

  it('agent commands get a secret as a variable only when its rule says so, and the model sees it masked', async () => {
    const row = await app.testDb.db.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
    const ws = agentWorkspace(await app.services.workspaces.get(row), { store: app.services.secrets, workspaceId });
    await ws.files.writeText('notes.txt', `token=${TOKEN}\n`);
    const before = (await audit('secret.read')).length;
    const command = [
      '[ "$DB_PASSWORD" = "hunter2-but-longer-and-secret" ] && echo password-is-set',
      'printenv | grep -q "$(cut -d= -f2 notes.txt)" && echo token-in-env || echo token-not-in-env',
      'echo "pw: $DB_PASSWORD"', 'cat notes.txt', 'echo "to stderr $DB_PASSWORD" >&2',
    ].join('; ');
    const r = await invokeTool(runCommand, { command }, { workspace: ws, signal: new AbortController().signal, sessionId: 's', callId: 'c' });
    expect(r.ok).toBe(true);
    const output = r.ok ? r.output : '';
    expect(output).toContain('password-is-set');
    expect(output).toContain('token-not-in-env');
    expect(output).toContain('pw: [secret db-password masked]');
    expect(output).toContain('token=[secret npm masked]');
    expect(output).toContain('to stderr [secret db-password masked]');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(DB_PASSWORD);
    const reads = (await audit('secret.read')).slice(before);
    expect(reads.map((e) => [e.target, (e.detail as { purpose: string }).purpose])).toEqual([[`${workspaceId}/db-password`, 'agent-command']]);
  });

  it('masks a failing call\'s error too', async () => {
    const row = await app.testDb.db.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
    const ws = agentWorkspace(await app.services.workspaces.get(row), { store: app.services.secrets, workspaceId });
    const r = await invokeTool(runCommand, { command: 'echo "$DB_PASSWORD"; sleep 5', timeoutSeconds: 1 }, { workspace: ws, signal: new AbortController().signal, sessionId: 's', callId: 'c2' });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toContain('[secret db-password masked]');
    expect(r.ok ? '' : r.error).not.toContain(DB_PASSWORD);
  });

  it('a terminal gets the variables the rules expose, audited with who opened it', async () => {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const c = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: adminCookie, origin: app.url } });
      c.on('connect', () => resolve(c));
      c.on('connect_error', reject);
    });
    const sessionId = (await app.testDb.db.session.findFirstOrThrow({ where: { workspaceId } })).id;
    const before = (await audit('secret.read')).length;
    const opened = await socket.emitWithAck('terminal:open', { sessionId, cols: 120, rows: 24 });
    expect(opened.ok).toBe(true);
    const terminalId = opened.terminal.id as string;
    let text = '';
    socket.on('terminal:data', (d: { terminalId: string; data: string }) => { if (d.terminalId === terminalId) text += d.data; });
    expect(await socket.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: true });
    socket.emit('terminal:input', { sessionId, terminalId, data: 'echo "len=$((${#DB_PASSWORD}+0)) token-vars=$(printenv | grep -c T0kenValue)"\r' });
    await expect.poll(() => /len=\d+ token-vars=\d/.exec(text)?.[0], { timeout: 15_000 }).toBe('len=29 token-vars=0');
    socket.close();
    const adminId = ((await admin.query('auth.status')).data as { user: { id: string } }).user.id;
    const reads = (await audit('secret.read')).slice(before);
    expect(reads.map((e) => [e.target, e.actorId, (e.detail as { purpose: string }).purpose])).toEqual([[`${workspaceId}/db-password`, adminId, 'terminal']]);
  }, 30_000);

  it('rotates and deletes, each an audit entry, and validates input in words', async () => {
    expect((await admin.mutate('secrets.rotate', { workspaceId, name: 'npm', value: 'npm_RotatedValue000000000000000000000000' })).status).toBe(200);
    expect(await app.services.secrets.headersFor(workspaceId, 'registry.npmjs.org')).toEqual({ Authorization: 'Bearer npm_RotatedValue000000000000000000000000' });
    const dup = await admin.mutate('secrets.add', { workspaceId, name: 'npm', value: 'another-value-1' });
    expect([dup.status, dup.error?.message]).toEqual([409, expect.stringMatching(/already has a secret named npm/)]);
    const short = await admin.mutate('secrets.add', { workspaceId, name: 'x', value: 'short' });
    expect(short.status).toBe(400);
    const reserved = await admin.mutate('secrets.add', { workspaceId, name: 'y', value: 'long-enough-value', exposeAsEnv: 'PATH' });
    expect(reserved.error?.message).toMatch(/reserved/);
    expect((await admin.mutate('secrets.remove', { workspaceId, name: 'npm' })).status).toBe(200);
    expect((await admin.mutate('secrets.remove', { workspaceId, name: 'npm' })).status).toBe(404);
    expect((await admin.query('secrets.list', { workspaceId: 'not-a-workspace' })).status).toBe(404);
    const actions = (await app.testDb.db.auditEntry.findMany({ where: { action: { startsWith: 'secret.' }, NOT: { action: 'secret.read' } }, orderBy: { createdAt: 'asc' } }))
      .map((e) => `${e.action} ${e.target}`);
    expect(actions).toEqual([
      `secret.created ${workspaceId}/npm`, `secret.created ${workspaceId}/db-password`,
      `secret.created ${workspaceId}/moved`, `secret.deleted ${workspaceId}/moved`,
      `secret.rotated ${workspaceId}/npm`, `secret.deleted ${workspaceId}/npm`,
    ]);
  });
});
