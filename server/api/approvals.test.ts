// Forgery battery: every way to answer an approval, tried by everyone who must not succeed —
// the person whose message started the run, a member, an anonymous caller, a stale or another
// session's approval id, replays, and the Socket.IO side. Real server, real database, real gate.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieFrom, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import type { Risk } from '../agent/policy.ts';
import { builtinTools } from '../agent/tools/registry.ts';

const runCommand = builtinTools.find((t) => t.name === 'run_command')!;

function socketFor(app: TestApp, cookie?: string): Promise<Socket> {
  const socket = connect(app.url, {
    path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true,
    extraHeaders: { origin: app.url, ...(cookie ? { cookie } : {}) },
  });
  return new Promise((resolve, reject) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', (err) => { socket.close(); reject(err); });
  });
}

describe.each(testProviders)('approval forgery battery on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let secondAdmin: ApiClient;
  let cookies: { admin: string; member: string; secondAdmin: string };
  const ids: Record<'admin' | 'member' | 'secondAdmin', string> = { admin: '', member: '', secondAdmin: '' };

  beforeAll(async () => {
    app = await startTestApp(provider);
    const people = await setupAdminAndMember(app);
    ({ admin, member } = people);
    await admin.mutate('admin.createUser', { email: 'second@example.test', name: 'Sam Second', password: 'second admin pw 1', role: 'admin' });
    const login = await app.api.mutate('auth.login', { email: 'second@example.test', password: 'second admin pw 1' });
    cookies = { admin: people.adminCookie, member: people.memberCookie, secondAdmin: cookieFrom(login)! };
    secondAdmin = app.api.as(cookies.secondAdmin);
    for (const [who, client] of [['admin', admin], ['member', member], ['secondAdmin', secondAdmin]] as const) {
      ids[who] = ((await client.query('auth.status')).data as { user: { id: string } }).user.id;
    }
  }, 60_000);
  afterAll(async () => { await app?.close(); });

  /** A call waiting for approval in a new session of `owner`, asked for by `requester`, through the real gate. */
  async function pending(owner: ApiClient, requesterId: string, risk: Risk, command = 'rm -rf /workspace/*', commands: string[][] = []) {
    const sessionId = ((await owner.mutate('sessions.create', { title: `approvals ${risk}` })).data as { id: string }).id;
    const callId = `call_${Math.random().toString(36).slice(2)}`;
    const controller = new AbortController();
    const answer = app.services.approvals.request({
      sessionId, runId: 'run-test', userId: requesterId, tool: runCommand, input: { command }, highRisk: null, callId,
      decision: { decision: 'ask', reason: 'deletes the workspace', by: 'classifier', risk, rule: null, commands },
    }, controller.signal);
    const row = await expect.poll(() => app.testDb.db.approval.findFirst({ where: { sessionId, toolCallId: callId } })).toBeTruthy().then(() =>
      app.testDb.db.approval.findFirstOrThrow({ where: { sessionId, toolCallId: callId } }));
    return { sessionId, approvalId: row.id, answer, cancel: () => controller.abort('stopped by user') };
  }

  const decide = (client: ApiClient, p: { sessionId: string; approvalId: string }, approve = true) =>
    client.mutate('approvals.decide', { sessionId: p.sessionId, approvalId: p.approvalId, approve });

  it('the admin whose message started the run cannot approve their own high-risk call; a second admin can, once', async () => {
    const p = await pending(admin, ids.admin, 'high');
    const own = await decide(admin, p);
    expect(own.status).toBe(403);
    expect(own.error?.message).toMatch(/other than the person whose message started the run/);
    // The prompt the requester sees says the same before they try.
    const listed = (await admin.query('approvals.list', { sessionId: p.sessionId })).data as { id: string; approveRefusal: string | null }[];
    expect(listed.find((a) => a.id === p.approvalId)?.approveRefusal).toMatch(/other than/);

    const ok = await decide(secondAdmin, p);
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ status: 'approved', decidedById: ids.secondAdmin });
    expect(await p.answer).toEqual({ granted: true, by: ids.secondAdmin, reason: 'approved by Sam Second' });

    // Replays — of the winning request and of the requester's — change nothing.
    expect((await decide(secondAdmin, p)).status).toBe(409);
    expect((await decide(admin, p)).status).toBe(409);
    expect((await decide(secondAdmin, p, false)).status).toBe(409);
    const decided = ((await admin.query('sessions.events', { sessionId: p.sessionId })).data as { type: string; actorId: string | null }[])
      .filter((e) => e.type === 'agent.approval.decided');
    expect(decided).toEqual([expect.objectContaining({ actorId: ids.secondAdmin })]);
  });

  it('a member cannot approve a high-risk call, not even in their own session, and not one they started', async () => {
    const p = await pending(member, ids.member, 'high');
    const r = await decide(member, p);
    expect(r.status).toBe(403);
    expect(r.error?.message).toMatch(/admin/);
    expect((await app.testDb.db.approval.findUniqueOrThrow({ where: { id: p.approvalId } })).status).toBe('pending');
    // The member may still say no to it.
    expect((await decide(member, p, false)).data).toMatchObject({ status: 'denied', decidedById: ids.member });
    expect(await p.answer).toMatchObject({ granted: false, by: ids.member });
  });

  it('a member cannot reach another person\'s session\'s approvals at all', async () => {
    const p = await pending(admin, ids.secondAdmin, 'medium');
    expect((await decide(member, p)).status).toBe(404);
    expect((await decide(member, p, false)).status).toBe(404);
    expect((await member.query('approvals.list', { sessionId: p.sessionId })).status).toBe(404);
    expect((await member.query('approvals.queue')).status).toBe(403);
    p.cancel();
    await p.answer;
  });

  it('a viewer of the session sees the call waiting, and is told before trying that they may neither approve nor deny it', async () => {
    const created = await admin.mutate('admin.createUser', { email: 'vera@example.test', name: 'Vera Viewer', password: 'viewer password 1' });
    const viewer = app.api.as(cookieFrom(await app.api.mutate('auth.login', { email: 'vera@example.test', password: 'viewer password 1' }))!);
    const p = await pending(member, ids.member, 'medium');
    expect((await member.mutate('members.add', { sessionId: p.sessionId, userId: (created.data as { id: string }).id, role: 'viewer' })).error).toBeNull();
    const listed = (await viewer.query('approvals.list', { sessionId: p.sessionId })).data as { id: string; approveRefusal: string | null; denyRefusal: string | null }[];
    const mine = listed.find((a) => a.id === p.approvalId);
    expect(mine?.approveRefusal).toMatch(/viewer/);
    expect(mine?.denyRefusal).toMatch(/viewer/);
    expect((await decide(viewer, p, false)).status).toBe(403);
    // The people who may answer are told nothing stands in their way of denying.
    const own = (await member.query('approvals.list', { sessionId: p.sessionId })).data as { id: string; denyRefusal: string | null }[];
    expect(own.find((a) => a.id === p.approvalId)?.denyRefusal).toBeNull();
    p.cancel();
    await p.answer;
  });

  it('refuses anonymous callers on every approval procedure', async () => {
    const p = await pending(admin, ids.member, 'medium');
    expect((await decide(app.api, p)).status).toBe(401);
    expect((await app.api.query('approvals.list', { sessionId: p.sessionId })).status).toBe(401);
    expect((await app.api.query('approvals.queue')).status).toBe(401);
    expect((await app.testDb.db.approval.findUniqueOrThrow({ where: { id: p.approvalId } })).status).toBe('pending');
    p.cancel();
    await p.answer;
  });

  it('refuses another session\'s approval id, an unknown id, and a stale (decided, cancelled or expired) one', async () => {
    const a = await pending(admin, ids.member, 'high');
    const b = await pending(admin, ids.member, 'high');
    // Approving b's approval while naming session a (which the admin may use) is refused.
    expect((await decide(secondAdmin, { sessionId: a.sessionId, approvalId: b.approvalId })).status).toBe(404);
    expect((await decide(secondAdmin, { sessionId: a.sessionId, approvalId: 'no-such-approval' })).status).toBe(404);
    b.cancel();
    expect(await b.answer).toMatchObject({ granted: false });
    expect((await decide(secondAdmin, b)).status).toBe(409);
    await app.testDb.db.approval.update({ where: { id: a.approvalId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await decide(secondAdmin, a);
    expect(expired.status).toBe(409);
    expect(expired.error?.message).toMatch(/expired/);
    expect(await a.answer).toMatchObject({ granted: false, by: 'timeout' });
    expect((await admin.query('approvals.queue')).data).toEqual([]);
  });

  it('Approve and add rule: only admins, only when approving a call a rule can allow, and the rule is exactly the call', async () => {
    const p = await pending(member, ids.member, 'medium', 'npm install && npm test', [['npm', 'install'], ['npm', 'test']]);
    const asMember = await member.mutate('approvals.decide', { sessionId: p.sessionId, approvalId: p.approvalId, approve: true, addRule: true });
    expect(asMember.status).toBe(403);
    expect(asMember.error?.message).toBe('Only an admin can add rules.');
    expect((await admin.mutate('approvals.decide', { sessionId: p.sessionId, approvalId: p.approvalId, approve: false, addRule: true })).status).toBe(400);
    const listed = (await admin.query('approvals.list', { sessionId: p.sessionId })).data as { id: string; suggestedRules: unknown[] }[];
    expect(listed.find((a) => a.id === p.approvalId)?.suggestedRules).toEqual([{ tool: 'run_command', pattern: 'npm install' }, { tool: 'run_command', pattern: 'npm test' }]);
    expect(((await member.query('approvals.list', { sessionId: p.sessionId })).data as { suggestedRules: unknown[] }[])[0]?.suggestedRules).toEqual([]);
    const ok = await admin.mutate('approvals.decide', { sessionId: p.sessionId, approvalId: p.approvalId, approve: true, addRule: true });
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ status: 'approved', rulesAdded: [{ action: 'allow', tool: 'run_command', pattern: 'npm install' }, { action: 'allow', tool: 'run_command', pattern: 'npm test' }] });
    const workspaceId = (await app.testDb.db.session.findUniqueOrThrow({ where: { id: p.sessionId } })).workspaceId;
    expect(await app.testDb.db.policyRule.findMany({ where: { workspaceId }, select: { action: true, pattern: true, createdById: true } }))
      .toEqual([{ action: 'allow', pattern: 'npm install', createdById: ids.admin }, { action: 'allow', pattern: 'npm test', createdById: ids.admin }]);
    expect(await p.answer).toMatchObject({ granted: true, by: ids.admin });

    // No rule for high risk (none could allow it), nor one wider than the call (a glob in it).
    const high = await pending(member, ids.member, 'high', 'git push --force', [['git', 'push', '--force']]);
    expect((await admin.mutate('approvals.decide', { sessionId: high.sessionId, approvalId: high.approvalId, approve: true, addRule: true })).status).toBe(400);
    const glob = await pending(member, ids.member, 'medium', 'cat *.md', [['cat', '*.md']]);
    expect((await admin.mutate('approvals.decide', { sessionId: glob.sessionId, approvalId: glob.approvalId, approve: true, addRule: true })).status).toBe(400);
    for (const x of [high, glob]) { x.cancel(); await x.answer; }
  });

  it('Socket.IO offers no way to answer, and only admins may watch the queue', async () => {
    const p = await pending(admin, ids.admin, 'high');
    await expect(socketFor(app)).rejects.toThrow(/unauthorized/);
    const asRequester = await socketFor(app, cookies.admin);
    // Events that look like answers are not part of the protocol: nothing handles them.
    for (const name of ['approvals:decide', 'approval:approve', 'agent:approve']) asRequester.emit(name, { sessionId: p.sessionId, approvalId: p.approvalId, approve: true });
    const asMember = await socketFor(app, cookies.member);
    expect(await asMember.timeout(5000).emitWithAck('approvals:watch')).toEqual({ ok: false, error: 'Only an admin can watch the approval queue.' });
    const watcher = await socketFor(app, cookies.secondAdmin);
    expect(await watcher.timeout(5000).emitWithAck('approvals:watch')).toEqual({ ok: true });
    const changed = new Promise((resolve) => watcher.once('approvals:changed', resolve));
    expect((await app.testDb.db.approval.findUniqueOrThrow({ where: { id: p.approvalId } })).status).toBe('pending');
    expect((await decide(secondAdmin, p, false)).status).toBe(200);
    await changed;
    [asRequester, asMember, watcher].forEach((s) => s.close());
    expect(await p.answer).toMatchObject({ granted: false, by: ids.secondAdmin });
  });
});
