// Network access end to end (real server, real sandboxes, real approvals): "on" never means the
// host's network; the egress proxy lets through the allowlist, asks a person about anything
// else, and records every attempt. Upstreams are a local server pinned under test names.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';

describe.each(testProviders)('workspace network access on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let upstream: http.Server;
  let port: number;
  let sessionId: string;
  const hits: string[] = [];
  beforeAll(async () => {
    upstream = http.createServer((req, res) => { hits.push(`${req.headers.host}${req.url}`); res.end(`hello-from-host ${req.url}\n`); });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    port = (upstream.address() as AddressInfo).port;
    const pinned = ['allowed.test', 'unlisted.test', 'denied.test'].map((h) => `${h}:${port}=127.0.0.1:${port}`).join(',');
    app = await startTestApp(provider, { TETHER_EGRESS_PINNED: pinned });
    ({ admin, member } = await setupAdminAndMember(app));
    sessionId = (await createProvisionedSession(member)).id;
  });
  afterAll(async () => { upstream?.close(); await app?.close(); });

  const run = async (script: string) => {
    const row = (await app.services.db.session.findUniqueOrThrow({ where: { id: sessionId }, include: { workspace: true } })).workspace!;
    const workspace = await app.services.workspaces.get(row);
    const r = await workspace.exec(['bash', '-c', script], { timeoutMs: 30_000 });
    return r.stdout + r.stderr;
  };
  const direct = () => run(`timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && echo OPEN' || echo CLOSED`);
  const curl = (host: string, p: string, tunnel = false) => run(`curl -s ${tunnel ? '-p' : ''} --max-time 25 -w ' status=%{http_code}/%{http_connect}' http://${host}:${port}${p}`);
  const pendingNetworkApproval = async () => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const queue = (await admin.query('approvals.queue')).data as { id: string; tool: string; reason: string; sessionId: string }[];
      const found = queue.find((a) => a.tool === 'network');
      if (found) return found;
    }
    throw new Error('no network approval appeared');
  };

  it('is off by default: a process cannot reach a port on the host, nor any proxy', async () => {
    expect(await direct()).toContain('CLOSED');
    expect(await curl('allowed.test', '/off')).not.toContain('hello-from-host');
  });

  it('on: still no route to the host itself; only an admin turns it on', async () => {
    expect((await member.mutate('sessions.setNetwork', { id: sessionId, allowed: true })).error?.code).toBe('FORBIDDEN');
    expect((await admin.mutate('sessions.setNetwork', { id: sessionId, allowed: true })).error).toBeNull();
    expect(await direct()).toContain('CLOSED');
    expect(await run(`curl -s --max-time 10 -w ' status=%{http_code}' http://127.0.0.1:${port}/ --noproxy ''`)).toContain('status=403');
  });

  it('reaches a host the team allowlist names, and the defaults are there for admins to edit', async () => {
    const list = (await admin.query('egress.allowlist')).data as { entries: { host: string; workspaceId: string | null }[] };
    expect(list.entries.map((e) => e.host)).toContain('registry.npmjs.org');
    expect((await member.mutate('egress.add', { host: 'allowed.test' })).error?.code).toBe('FORBIDDEN');
    expect((await admin.mutate('egress.add', { host: 'bad host!' })).error?.code).toBe('BAD_REQUEST');
    expect((await admin.mutate('egress.add', { host: 'allowed.test' })).error).toBeNull();
    expect(await curl('allowed.test', '/plain')).toContain('hello-from-host /plain');
    expect(await curl('allowed.test', '/tunnel', true)).toContain('hello-from-host /tunnel');
  });

  it('asks about a host not on the list; the connection waits, and "Allow always" lets it through and adds it', async () => {
    const waiting = curl('unlisted.test', '/asked', true);
    const approval = await pendingNetworkApproval();
    expect(approval.sessionId).toBe(sessionId);
    expect(approval.reason).toContain(`workspace wants to reach unlisted.test:${port}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(hits.some((h) => h.endsWith('/asked'))).toBe(false);
    expect((await admin.mutate('approvals.decide', { sessionId, approvalId: approval.id, approve: true, addRule: true })).error).toBeNull();
    expect(await waiting).toContain('hello-from-host /asked');
    const list = (await admin.query('egress.allowlist')).data as { entries: { host: string; workspaceId: string | null }[] };
    expect(list.entries.find((e) => e.host === 'unlisted.test')?.workspaceId).toBeTruthy();
    expect(await curl('unlisted.test', '/again')).toContain('hello-from-host /again');
    expect(((await admin.query('approvals.queue')).data as unknown[]).length).toBe(0);
  });

  it('a denied host gets a 403 that says why, and never reaches the server', async () => {
    const waiting = curl('denied.test', '/no');
    const approval = await pendingNetworkApproval();
    expect((await member.mutate('approvals.decide', { sessionId, approvalId: approval.id, approve: false })).error).toBeNull();
    expect(await waiting).toMatch(/Tether egress: denied by Max Member\s+status=403/);
    expect(hits.some((h) => h.endsWith('/no'))).toBe(false);
  });

  it('records every attempt: team audit entries and session events, with who decided', async () => {
    // Records are written after the answer is sent (audit entry, then event): wait for the last one.
    const lastEvent = async () => ((await member.query('sessions.events', { sessionId })).data as { type: string; payload: { host?: string } }[])
      .some((e) => e.type === 'workspace.egress' && e.payload.host === 'denied.test');
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && !(await lastEvent()); await new Promise((r) => setTimeout(r, 100)));
    const users = await app.services.db.user.findMany();
    const byName = (n: string) => users.find((u) => u.name === n)!.id;
    const audit = await app.services.db.auditEntry.findMany({ where: { action: { startsWith: 'egress.' } }, orderBy: { createdAt: 'asc' } });
    const line = (a: (typeof audit)[number]) => `${a.action} ${a.target} ${(a.detail as { by: string }).by}`;
    expect(audit.map(line)).toEqual(expect.arrayContaining([
      `egress.denied 127.0.0.1:${port} egress:address`,
      `egress.allowed allowed.test:${port} allowlist:allowed.test`,
      `egress.allowed unlisted.test:${port} user:${byName('Ada Admin')}`,
      `egress.allowed unlisted.test:${port} allowlist:unlisted.test`,
      `egress.denied denied.test:${port} user:${byName('Max Member')}`,
    ]));
    expect(audit.filter((a) => a.action === 'egress.allowlist.added').map((a) => [a.target, a.actorId])).toEqual([
      ['allowed.test', byName('Ada Admin')], ['unlisted.test', byName('Ada Admin')],
    ]);
    expect(audit.find((a) => a.target === `denied.test:${port}`)?.actorId).toBe(byName('Max Member'));
    const events = (await member.query('sessions.events', { sessionId })).data as { type: string; payload: { host: string; method: string; path: string | null; allowed: boolean } }[];
    const egress = events.filter((e) => e.type === 'workspace.egress');
    expect(egress.map((e) => `${e.payload.method} ${e.payload.host}${e.payload.path ?? ''} ${e.payload.allowed}`)).toEqual(expect.arrayContaining([
      'GET allowed.test/plain true', 'CONNECT allowed.test true', 'CONNECT unlisted.test true', 'GET denied.test/no false',
    ]));
  });

  it('off again: the proxy is gone from new processes', async () => {
    await admin.mutate('sessions.setNetwork', { id: sessionId, allowed: false });
    expect(await curl('allowed.test', '/after')).not.toContain('hello-from-host');
    const events = (await member.query('sessions.events', { sessionId })).data as { type: string; payload: { allowed?: boolean } }[];
    expect(events.filter((e) => e.type === 'workspace.network').map((e) => e.payload.allowed)).toEqual([true, false]);
  });
});
