// The session-role battery: owner, editor, viewer, a team member who is not in the session, and
// an admin, against every tRPC procedure about one session and every member Socket.IO event.
// Procedures are enumerated from the router: one that takes a session and is not classified
// below fails the first test, because what a viewer may call is a security decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { cookieFrom, createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type ApiResult, type TestApp } from '../../test/support/app.ts';
import type { TerminalData } from '../realtime/protocol.ts';
import { appRouter } from './root.ts';

type Need = 'read' | 'write' | 'manage';
/** What each session procedure needs. Reads are what a share link's viewer can see, plus the IDE's own reads. */
const NEEDS: Record<string, Need> = {
  'sessions.get': 'read', 'sessions.events': 'read', 'sessions.stop': 'write', 'sessions.restart': 'write', 'sessions.retry': 'write',
  'sessions.rename': 'manage', 'sessions.delete': 'manage',
  'members.list': 'read', 'members.candidates': 'manage', 'members.add': 'manage', 'members.setRole': 'manage', 'members.remove': 'manage',
  'files.list': 'read', 'files.read': 'read', 'files.write': 'write', 'files.create': 'write', 'files.rename': 'write', 'files.delete': 'write',
  'git.status': 'read', 'git.fileVersions': 'read', 'git.branches': 'read', 'git.log': 'read',
  'git.init': 'write', 'git.stage': 'write', 'git.unstage': 'write', 'git.commit': 'write', 'git.switchBranch': 'write', 'git.pull': 'write', 'git.push': 'write',
  'agent.status': 'read', 'agent.checkpoints': 'read', 'agent.send': 'write', 'agent.stop': 'write', 'agent.resume': 'write', 'agent.rewind': 'write',
  'approvals.list': 'read', 'approvals.decide': 'write',
  'memory.list': 'read', 'memory.promptReports': 'read', 'memory.exportEvents': 'read',
  'memory.add': 'write', 'memory.edit': 'write', 'memory.pin': 'write', 'memory.close': 'write', 'memory.promote': 'write',
  'policy.forSession': 'read',
  'search.files': 'read', 'search.text': 'read', 'search.previewReplace': 'read', 'search.replace': 'write',
  'release.check': 'write',
  'share.create': 'write', 'share.list': 'write', 'share.revoke': 'write',
};
/** Allowed calls that would end the session for the rest of the battery; their refusals are still checked. */
const ENDS_SESSION = new Set(['sessions.stop', 'sessions.delete', 'sessions.restart', 'agent.rewind']);

type Shape = { shape?: Record<string, unknown>; def?: { innerType?: Shape; in?: Shape } };
/** The keys of a procedure's input object (through defaults and pipes), to find those about a session. */
function inputKeys(schema: unknown): string[] {
  let s = schema as Shape | undefined;
  for (let i = 0; s && !s.shape && i < 5; i++) s = s.def?.innerType ?? s.def?.in;
  return s?.shape ? Object.keys(s.shape) : [];
}
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation'; meta?: { access?: string }; inputs: unknown[] } }>)
  .map(([path, p]) => ({ path, type: p._def.type, access: p._def.meta?.access, keys: p._def.inputs.flatMap(inputKeys) }))
  .filter((p) => p.access === 'member' && (p.keys.includes('sessionId') || (p.path.startsWith('sessions.') && p.keys.includes('id'))));

type Role = 'owner' | 'editor' | 'viewer' | 'outsider' | 'admin';
const ROLES: Role[] = ['owner', 'editor', 'viewer', 'outsider', 'admin'];
const may = (role: Role, need: Need) => role === 'owner' || role === 'admin' || (role === 'editor' && need !== 'manage') || (role === 'viewer' && need === 'read');

const ACCESS_REFUSAL = /do not have access|viewer of this session|owner or an admin/;

function openSocket(app: TestApp, cookie: string): Promise<Socket> {
  const s = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: app.url } });
  return new Promise((resolve, reject) => {
    s.on('connect', () => resolve(s));
    s.on('connect_error', (err) => { s.close(); reject(err); });
  });
}

describe('session roles: the authorization matrix', () => {
  let app: TestApp;
  const api = {} as Record<Role, ApiClient>;
  const cookies = {} as Record<Role, string>;
  const ids = {} as Record<Role, string>;
  let sessionId: string;
  let input: Record<string, unknown>;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    const users = await setupAdminAndMember(app);
    api.admin = users.admin; cookies.admin = users.adminCookie;
    api.owner = users.member; cookies.owner = users.memberCookie;
    for (const [role, name] of [['editor', 'Edith Editor'], ['viewer', 'Vic Viewer'], ['outsider', 'Otto Outsider']] as const) {
      const email = `${role}@example.test`;
      const created = await users.admin.mutate('admin.createUser', { email, name, password: 'a long password 1' });
      if (created.error) throw new Error(created.error.message);
      ids[role] = (created.data as { id: string }).id;
      cookies[role] = cookieFrom(await app.api.mutate('auth.login', { email, password: 'a long password 1' }))!;
      api[role] = app.api.as(cookies[role]);
    }
    sessionId = (await createProvisionedSession(api.owner, { kind: 'empty' }, 'shared work')).id;
    expect((await api.owner.mutate('files.create', { sessionId, path: 'README.md', kind: 'file' })).error).toBeNull();
    for (const role of ['editor', 'viewer'] as const) {
      expect((await api.owner.mutate('members.add', { sessionId, userId: ids[role], role })).error).toBeNull();
    }
    // One input every session procedure accepts (zod drops the keys a procedure does not take).
    input = {
      sessionId, id: sessionId, title: 'renamed', path: 'README.md', content: 'hello\n', kind: 'file', from: 'README.md', to: 'README.md',
      staged: false, paths: ['README.md'], message: 'a commit', name: 'main', branch: 'main', text: 'hello there',
      runId: 'no-such-run', checkpointId: 'no-such-checkpoint', approvalId: 'no-such-approval', approve: false, itemId: 'no-such-item',
      pinned: true, pattern: 'hello', replacement: 'bye', files: [{ path: 'README.md', version: 'x' }], dir: '.',
      scope: 'view', expiresInHours: 1, linkId: 'no-such-link', userId: ids.outsider, role: 'viewer', afterSeq: 0,
    };
  });
  afterAll(async () => { await app?.close(); });

  /** files.create and memory.add both take a `kind`, of different vocabularies. */
  const inputFor = (path: string) => (path === 'memory.add' ? { ...input, kind: 'goal' } : input);
  const call = (role: Role, p: { path: string; type: string }): Promise<ApiResult> =>
    p.type === 'query' ? api[role].query(p.path, inputFor(p.path)) : api[role].mutate(p.path, inputFor(p.path));

  it('classifies every procedure about a session', () => {
    expect(procedures.length).toBeGreaterThan(40);
    expect(procedures.map((p) => p.path).filter((path) => !(path in NEEDS))).toEqual([]);
  });

  describe.each(ROLES)('as %s', (role) => {
    it.each(procedures.filter((p) => !may(role, NEEDS[p.path]!) || !ENDS_SESSION.has(p.path)))('$path', async (p) => {
      const need = NEEDS[p.path]!;
      const r = await call(role, p);
      if (role === 'outsider') {
        expect(r.error?.code, p.path).toBe('NOT_FOUND');
        expect(r.error?.message).toMatch(/do not have access/);
      } else if (!may(role, need)) {
        expect(r.status, p.path).toBe(403);
        expect(r.error?.message).toMatch(need === 'manage' ? /owner or an admin/ : /viewer of this session/);
      } else {
        // Allowed: it may still fail for what it is (no such run, not a repository), never for who asked.
        expect(r.error?.message ?? '', p.path).not.toMatch(ACCESS_REFUSAL);
      }
      if (p.path === 'members.add' && may(role, need)) {
        expect((await api.owner.mutate('members.remove', { sessionId, userId: ids.outsider })).error).toBeNull();
      }
    });
  });

  it('lists shared sessions on the dashboard with the member\'s role, and not for others', async () => {
    const listed = async (role: Role) => ((await api[role].query('sessions.list')).data as { id: string; role: string }[]).find((s) => s.id === sessionId)?.role;
    expect(await listed('owner')).toBe('owner');
    expect(await listed('editor')).toBe('editor');
    expect(await listed('viewer')).toBe('viewer');
    expect(await listed('outsider')).toBeUndefined();
    expect(await listed('admin')).toBe('admin');
  });

  it('records each membership change as a session event with who made it, and in the team audit', async () => {
    expect((await api.admin.mutate('members.add', { sessionId, userId: ids.outsider, role: 'editor' })).error).toBeNull();
    expect((await api.owner.mutate('members.add', { sessionId, userId: ids.outsider, role: 'viewer' })).error?.code).toBe('CONFLICT');
    expect((await api.owner.mutate('members.setRole', { sessionId, userId: ids.outsider, role: 'viewer' })).error).toBeNull();
    expect((await api.owner.mutate('members.remove', { sessionId, userId: ids.outsider })).error).toBeNull();
    const events = (await api.owner.query('sessions.events', { sessionId })).data as { type: string; actorId: string | null; payload: Record<string, unknown> }[];
    const changes = events.filter((e) => e.type.startsWith('session.member.')).slice(-3);
    const adminId = (await api.admin.query('auth.status')).data as { user: { id: string } };
    const ownerId = (await api.owner.query('auth.status')).data as { user: { id: string } };
    expect(changes.map((e) => [e.type, e.actorId, e.payload.role ?? null])).toEqual([
      ['session.member.added', adminId.user.id, 'editor'],
      ['session.member.changed', ownerId.user.id, 'viewer'],
      ['session.member.removed', ownerId.user.id, null],
    ]);
    const audit = await app.services.db.auditEntry.findMany({ where: { sessionId, action: { startsWith: 'session.member.' } }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => a.action).slice(-3)).toEqual(['session.member.added', 'session.member.changed', 'session.member.removed']);
    // The owner cannot be added, nor someone outside the team's users.
    expect((await api.owner.mutate('members.add', { sessionId, userId: (ownerId.user.id), role: 'editor' })).error?.code).toBe('BAD_REQUEST');
    expect((await api.owner.mutate('members.add', { sessionId, userId: 'nobody', role: 'editor' })).error?.code).toBe('NOT_FOUND');
  });

  describe('Socket.IO events', () => {
    const ask = (s: Socket, event: string, payload: unknown) => s.timeout(3_000).emitWithAck(event, payload) as Promise<{ ok: boolean; error?: string; terminal?: { id: string } }>;

    it('a viewer follows, lists and watches terminals but cannot open, type into, resize or close one; an outsider gets nothing', async () => {
      const owner = await openSocket(app, cookies.owner);
      const opened = await ask(owner, 'terminal:open', { sessionId, cols: 80, rows: 24 });
      expect(opened.ok).toBe(true);
      const terminalId = opened.terminal!.id;

      const viewer = await openSocket(app, cookies.viewer);
      let seen = '';
      viewer.on('terminal:data', (d: TerminalData) => { seen += d.data; });
      expect(await ask(viewer, 'session:follow', { sessionId, afterSeq: 0 })).toEqual({ ok: true });
      expect((await ask(viewer, 'terminal:list', { sessionId })).ok).toBe(true);
      expect(await ask(viewer, 'terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: true });
      expect(await ask(viewer, 'terminal:open', { sessionId, cols: 80, rows: 24 })).toMatchObject({ ok: false, error: expect.stringMatching(/viewer/) });
      expect(await ask(viewer, 'terminal:close', { sessionId, terminalId })).toMatchObject({ ok: false, error: expect.stringMatching(/viewer/) });
      viewer.emit('terminal:input', { sessionId, terminalId, data: 'echo viewer-$((40+2))\r' });
      owner.emit('terminal:input', { sessionId, terminalId, data: 'echo owner-$((40+3))\r' });
      // The viewer watches the owner's command run, and its own never does.
      await expect.poll(() => seen, { timeout: 10_000 }).toContain('owner-43');
      expect(seen).not.toContain('viewer-42');

      const outsider = await openSocket(app, cookies.outsider);
      for (const [event, payload] of [['session:follow', { sessionId, afterSeq: 0 }], ['terminal:list', { sessionId }], ['terminal:attach', { sessionId, terminalId, fromOffset: null }], ['terminal:open', { sessionId, cols: 80, rows: 24 }]] as const) {
        expect(await ask(outsider, event, payload), event).toMatchObject({ ok: false, error: expect.stringMatching(/do not have access/) });
      }
      for (const s of [owner, viewer, outsider]) s.close();
    });

    it('demoting an editor takes effect at once on their open socket, and removing them stops their stream', async () => {
      const owner = await openSocket(app, cookies.owner);
      const terminalId = (await ask(owner, 'terminal:open', { sessionId, cols: 80, rows: 24 })).terminal!.id;
      // The editor gets a socket that has already been allowed to type (its access is cached).
      const editor = await openSocket(app, cookies.editor);
      let seen = '';
      editor.on('terminal:data', (d: TerminalData) => { seen += d.data; });
      expect(await ask(editor, 'terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: true });
      // The owner opened it, so the owner types in it until the editor takes over.
      expect(await ask(editor, 'terminal:takeover', { sessionId, terminalId })).toEqual({ ok: true });
      editor.emit('terminal:input', { sessionId, terminalId, data: 'echo before-$((1+1))\r' });
      await expect.poll(() => seen, { timeout: 10_000 }).toContain('before-2');

      expect((await api.owner.mutate('members.setRole', { sessionId, userId: ids.editor, role: 'viewer' })).error).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
      editor.emit('terminal:input', { sessionId, terminalId, data: 'echo after-$((2+2))\r' });
      // A viewer cannot take control back; the owner can.
      expect(await ask(editor, 'terminal:takeover', { sessionId, terminalId })).toMatchObject({ ok: false, error: expect.stringMatching(/viewer/) });
      expect(await ask(owner, 'terminal:takeover', { sessionId, terminalId })).toEqual({ ok: true });
      owner.emit('terminal:input', { sessionId, terminalId, data: 'echo owner-$((3+3))\r' });
      await expect.poll(() => seen, { timeout: 10_000 }).toContain('owner-6');
      expect(seen).not.toContain('after-4');
      expect((await api.editor.mutate('files.write', { sessionId, path: 'README.md', content: 'mine' })).error?.message).toMatch(/viewer of this session/);

      expect((await api.owner.mutate('members.remove', { sessionId, userId: ids.editor })).error).toBeNull();
      await new Promise((r) => setTimeout(r, 500));
      const settled = seen.length;
      owner.emit('terminal:input', { sessionId, terminalId, data: 'echo gone-$((4+4))\r' });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(seen.length).toBe(settled);
      expect(editor.connected).toBe(true); // still signed in: only this session is gone
      expect((await api.editor.query('sessions.get', { id: sessionId })).error?.code).toBe('NOT_FOUND');
      // Put things back for any later test.
      expect((await api.owner.mutate('members.add', { sessionId, userId: ids.editor, role: 'editor' })).error).toBeNull();
      owner.close();
      editor.close();
    });
  });

  it('an editor may stop and restart the session but not delete it; the owner may delete it', async () => {
    expect((await api.editor.mutate('sessions.stop', { id: sessionId })).error).toBeNull();
    expect((await api.editor.mutate('sessions.restart', { id: sessionId })).error).toBeNull();
    expect((await api.editor.mutate('sessions.delete', { id: sessionId })).status).toBe(403);
    expect((await api.owner.mutate('sessions.delete', { id: sessionId })).error).toBeNull();
    expect((await api.editor.query('sessions.get', { id: sessionId })).error?.code).toBe('NOT_FOUND');
  });
});
