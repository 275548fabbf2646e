// The share-link authorization battery: every tRPC procedure and every Socket.IO event, called
// with a view token, a comment token, an expired token, a revoked token and another session's
// token. Only the reads a link's scope allows get through (and a comment with comment scope).
// Procedures and socket handlers are enumerated from the running server, so new ones are covered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import { SHARE_NAMESPACE, type SessionEvent, type TerminalData } from '../realtime/protocol.ts';
import { appRouter } from './root.ts';

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation'; meta?: { access?: string } } }>)
  .map(([path, p]) => ({ path, type: p._def.type, access: p._def.meta?.access }));

/**
 * A valid input for each viewer procedure, and which scopes it serves. A new viewer procedure
 * fails the first test until it is listed here: what a token opens is a security decision.
 */
const VIEWER: Record<string, { input: Record<string, unknown>; scopes: ('view' | 'comment')[] }> = {
  'viewer.session': { input: {}, scopes: ['view', 'comment'] },
  'viewer.tree': { input: { seq: 1 }, scopes: ['view', 'comment'] },
  'viewer.file': { input: { seq: 1, path: 'README.md' }, scopes: ['view', 'comment'] },
  'viewer.comment': { input: { eventSeq: 1, text: 'Looks right', authorName: 'Rita' }, scopes: ['comment'] },
};
/** The only handlers of the share namespace: each reads, or paces what the viewer is sent (see share-socket.ts). */
const SHARE_EVENTS = ['share:follow', 'share:terminal:ack', 'share:terminal:unwatch', 'share:terminal:watch', 'share:terminals'];

type TokenKind = 'view' | 'comment' | 'expired' | 'revoked' | 'other';
const KINDS: TokenKind[] = ['view', 'comment', 'expired', 'revoked', 'other'];

function openSocket(app: TestApp, o: { namespace?: string; token?: string; cookie?: string }): Promise<Socket> {
  const s = connect(app.url + (o.namespace ?? ''), {
    path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true,
    auth: o.token ? { token: o.token } : {}, extraHeaders: { origin: app.url, ...(o.cookie ? { cookie: o.cookie } : {}) },
  });
  return new Promise((resolve, reject) => {
    s.on('connect', () => resolve(s));
    s.on('connect_error', (err) => { s.close(); reject(err); });
  });
}

/** Emits and waits briefly: a handler that does not exist never answers. */
const emitAndWait = (s: Socket, event: string, payload: unknown) =>
  Promise.race([s.timeout(400).emitWithAck(event, payload).catch(() => 'no answer'), new Promise((r) => setTimeout(() => r('no answer'), 600))]);

describe.each(testProviders)('share links: authorization battery on %s', (provider) => {
  let app: TestApp;
  let member: ApiClient;
  let memberCookie: string;
  let sessionA: string;
  let sessionB: string;
  const tokens = {} as Record<TokenKind, string>;

  beforeAll(async () => {
    app = await startTestApp(provider);
    const users = await setupAdminAndMember(app);
    member = users.member;
    memberCookie = users.memberCookie;
    sessionA = (await createProvisionedSession(member, { kind: 'empty' }, 'session A')).id;
    sessionB = (await createProvisionedSession(users.admin, { kind: 'empty' }, 'session B')).id;
    const create = async (api: ApiClient, sessionId: string, scope: 'view' | 'comment') => {
      const r = await api.mutate('share.create', { sessionId, scope, expiresInHours: 24 });
      if (r.error) throw new Error(r.error.message);
      return r.data as { token: string; link: { id: string } };
    };
    tokens.view = (await create(member, sessionA, 'view')).token;
    tokens.comment = (await create(member, sessionA, 'comment')).token;
    const expired = await create(member, sessionA, 'view');
    await app.services.db.shareLink.update({ where: { id: expired.link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    tokens.expired = expired.token;
    const revoked = await create(member, sessionA, 'view');
    expect((await member.mutate('share.revoke', { sessionId: sessionA, linkId: revoked.link.id })).error).toBeNull();
    tokens.revoked = revoked.token;
    tokens.other = (await create(users.admin, sessionB, 'view')).token;
  });
  afterAll(async () => { await app?.close(); });

  it('lists an input and scopes for every viewer procedure, and viewer procedures are the only ones a token reaches', () => {
    const viewer = procedures.filter((p) => p.access === 'viewer').map((p) => p.path).sort();
    expect(viewer).toEqual(Object.keys(VIEWER).sort());
    expect(procedures.filter((p) => p.path.startsWith('viewer.')).every((p) => p.access === 'viewer')).toBe(true);
  });

  describe.each(KINDS)('with a %s token', (kind) => {
    it.each(procedures.filter((p) => p.access !== 'viewer' && p.access !== 'public'))('refuses member procedure $path', async (p) => {
      // Every plausible way to name the session: the token grants none of them.
      const input = { token: tokens[kind], sessionId: sessionA, id: sessionA };
      const r = p.type === 'query' ? await app.api.query(p.path, input) : await app.api.mutate(p.path, input);
      expect(r.status).toBe(401);
    });

    it.each(Object.keys(VIEWER))('%s: allowed only as the scope says', async (path) => {
      const spec = VIEWER[path]!;
      const p = procedures.find((x) => x.path === path)!;
      const input = { ...spec.input, token: tokens[kind], sessionId: sessionA };
      const r = p.type === 'query' ? await app.api.query(path, input) : await app.api.mutate(path, input);
      if (kind === 'expired' || kind === 'revoked') {
        expect(r.status).toBe(410);
        expect(r.error?.message).toMatch(kind === 'expired' ? /expired/ : /revoked/);
      } else if (spec.scopes.includes(kind === 'other' ? 'view' : kind)) {
        expect(r.error).toBeNull();
      } else {
        expect(r.status).toBe(403);
        expect(r.error?.message).toMatch(/not comment/);
      }
    });
  });

  it("another session's token reads only its own session, whatever session id is sent", async () => {
    const r = await app.api.query('viewer.session', { token: tokens.other, sessionId: sessionA });
    expect((r.data as { title: string }).title).toBe('session B');
    const s = await openSocket(app, { namespace: SHARE_NAMESPACE, token: tokens.other });
    const seen: SessionEvent[] = [];
    s.on('share:event', (e: SessionEvent) => seen.push(e));
    expect(await s.emitWithAck('share:follow', { afterSeq: 0, sessionId: sessionA })).toEqual({ ok: true });
    await expect.poll(() => seen.length).toBeGreaterThan(0);
    expect(seen.every((e) => e.sessionId === sessionB)).toBe(true);
    s.close();
  });

  it('a comment from a comment link is stored and appears on the session stream', async () => {
    const r = await app.api.mutate('viewer.comment', { token: tokens.comment, eventSeq: 1, diffLine: 2, text: 'Why this line?', authorName: 'Rita' });
    expect(r.error).toBeNull();
    const events = (await member.query('sessions.events', { sessionId: sessionA })).data as SessionEvent[];
    expect(events.findLast((e) => e.type === 'comment.added')?.payload).toMatchObject({ eventSeq: 1, diffLine: 2, text: 'Why this line?', author: 'Rita' });
    expect((await app.api.mutate('viewer.comment', { token: tokens.comment, eventSeq: 99_999, text: 'x', authorName: 'Rita' })).error?.code).toBe('NOT_FOUND');
  });

  it('the share namespace admits only live links, and handles only reads', async () => {
    for (const kind of ['expired', 'revoked'] as const) {
      await expect(openSocket(app, { namespace: SHARE_NAMESPACE, token: tokens[kind] })).rejects.toThrow(kind === 'expired' ? /expired/ : /revoked/);
    }
    await expect(openSocket(app, { namespace: SHARE_NAMESPACE, token: 'not-a-token' })).rejects.toThrow(/not a valid share link/);
    // A token is no key to the member namespace.
    await expect(openSocket(app, { token: tokens.view })).rejects.toThrow(/unauthorized/);

    const viewer = await openSocket(app, { namespace: SHARE_NAMESPACE, token: tokens.view });
    const serverSide = [...app.io.of(SHARE_NAMESPACE).sockets.values()].at(-1)!;
    // disconnect and error are Socket.IO's own.
    expect(serverSide.eventNames().filter((n) => n !== 'disconnect' && n !== 'error').sort()).toEqual(SHARE_EVENTS);
    viewer.close();
  });

  it('every member socket event sent by a viewer is ignored: no terminal input, no terminal opened', async () => {
    const owner = await openSocket(app, { cookie: memberCookie });
    const opened = await owner.emitWithAck('terminal:open', { sessionId: sessionA, cols: 80, rows: 24 });
    expect(opened.ok).toBe(true);
    const terminalId = opened.terminal.id as string;
    const memberEvents = [...app.io.of('/').sockets.values()].at(-1)!.eventNames().filter((n) => n !== 'disconnect' && n !== 'error') as string[];
    expect(memberEvents).toContain('terminal:input');

    for (const kind of ['view', 'comment'] as const) {
      const viewer = await openSocket(app, { namespace: SHARE_NAMESPACE, token: tokens[kind] });
      const output: string[] = [];
      viewer.on('share:terminal:data', (d: TerminalData) => output.push(d.data));
      expect(await viewer.emitWithAck('share:terminal:watch', { terminalId, fromOffset: null })).toEqual({ ok: true });
      for (const event of memberEvents) {
        const answer = await emitAndWait(viewer, event, { sessionId: sessionA, terminalId, data: 'echo FORCED-$((40+2))\r', afterSeq: 0, cols: 80, rows: 24, fromOffset: null, chars: 1 });
        expect([event, answer]).toEqual([event, 'no answer']);
      }
      // The member's own input still works, and the viewer watches it; the forced one never ran.
      owner.emit('terminal:input', { sessionId: sessionA, terminalId, data: `echo MEMBER-$((1+${kind.length}))\r` });
      await expect.poll(() => output.join('').includes(`MEMBER-${1 + kind.length}`), { timeout: 10_000 }).toBe(true);
      expect(output.join('')).not.toContain('FORCED-42');
      viewer.close();
    }
    expect(app.services.terminals.list(sessionA)).toHaveLength(1);
    owner.close();
  });

  it('revoking a link disconnects its open viewer within a second', async () => {
    const created = (await member.mutate('share.create', { sessionId: sessionA, scope: 'view', expiresInHours: 1 })).data as { token: string; link: { id: string } };
    const viewer = await openSocket(app, { namespace: SHARE_NAMESPACE, token: created.token });
    const ended: string[] = [];
    viewer.on('share:ended', (e: { reason: string }) => ended.push(e.reason));
    const disconnected = new Promise<number>((resolve) => viewer.on('disconnect', () => resolve(Date.now())));
    const start = Date.now();
    await member.mutate('share.revoke', { sessionId: sessionA, linkId: created.link.id });
    expect((await disconnected) - start).toBeLessThan(1000);
    expect(ended).toEqual(['This share link has been revoked.']);
    expect((await app.api.query('viewer.session', { token: created.token })).status).toBe(410);
  });

  it('audits every use, and only admins make links that never expire', async () => {
    const audit = await app.services.db.auditEntry.findMany({ where: { sessionId: sessionA, action: { startsWith: 'share.' } }, select: { action: true, detail: true } });
    const actions = new Set(audit.map((a) => `${a.action}:${(a.detail as { use?: string }).use ?? ''}`));
    for (const a of ['share.created:', 'share.revoked:', 'share.used:open', 'share.used:live', 'share.used:comment', 'share.refused:viewer.session', 'share.refused:live']) expect(actions).toContain(a);
    const never = await member.mutate('share.create', { sessionId: sessionA, scope: 'view', expiresInHours: 'never' });
    expect(never.error?.message).toMatch(/Only an admin/);
    const list = (await member.query('share.list', { sessionId: sessionA })).data as { createdBy: string; scope: string; lastUsedAt: string | null; revokedAt: string | null }[];
    expect(list.length).toBeGreaterThanOrEqual(5);
    expect(list.every((l) => l.createdBy === 'Max Member')).toBe(true);
    expect(list.some((l) => l.lastUsedAt !== null)).toBe(true);
    expect(JSON.stringify(list)).not.toMatch(/tokenHash/);
  });
});
