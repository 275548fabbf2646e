// Network access end to end (real server, real sandboxes, real approvals): "on" never means the
// host's network; the egress proxy lets through the allowlist, asks a person about anything
// else, and records every attempt. Upstreams are a local server pinned under test names.
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import { testProviders } from '../../test/support/db.ts';
import { WorkspaceCa } from '../workspace/egress/ca.ts';

describe.each(testProviders)('workspace network access on %s', (provider) => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let upstream: http.Server;
  let port: number;
  let sessionId: string;
  const hits: string[] = [];
  /** An HTTPS upstream with its own test CA (which the proxy is told to trust), and what it was sent. */
  let secure: https.Server;
  let securePort: number;
  let caDir: string;
  const secureHits: { line: string; authorization: string | undefined }[] = [];
  beforeAll(async () => {
    upstream = http.createServer((req, res) => { hits.push(`${req.headers.host}${req.url}`); res.end(`hello-from-host ${req.url}\n`); });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    port = (upstream.address() as AddressInfo).port;
    caDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-network-ca-'));
    const testCa = await WorkspaceCa.open(path.join(caDir, 'ca'), 'test upstreams');
    await fs.writeFile(path.join(caDir, 'upstream-ca.pem'), testCa.certPem);
    secure = https.createServer({ SNICallback: (name, cb) => void testCa.contextFor(name).then((c) => cb(null, c), cb) }, (req, res) => {
      secureHits.push({ line: `${req.method} ${req.url}`, authorization: req.headers.authorization });
      req.resume();
      res.end(`hello-over-tls ${req.method} ${req.url}\n`);
    });
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    securePort = (secure.address() as AddressInfo).port;
    const pinned = [...['allowed.test', 'unlisted.test', 'denied.test'].map((h) => `${h}:${port}=127.0.0.1:${port}`), `secure.test:${securePort}=127.0.0.1:${securePort}`].join(',');
    app = await startTestApp(provider, { TETHER_EGRESS_PINNED: pinned, TETHER_EGRESS_UPSTREAM_CA: path.join(caDir, 'upstream-ca.pem') });
    ({ admin, member } = await setupAdminAndMember(app));
    sessionId = (await createProvisionedSession(member)).id;
  });
  afterAll(async () => {
    upstream?.close();
    secure?.close();
    await app?.close();
    if (caDir) await fs.rm(caDir, { recursive: true, force: true });
  });

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

  it('HTTPS to an allowed host is terminated: reads pass with the secret added on the way out; a write waits for an admin', async () => {
    const row = (await app.services.db.session.findUniqueOrThrow({ where: { id: sessionId } }));
    expect((await admin.mutate('egress.add', { host: 'secure.test' })).error).toBeNull();
    expect((await admin.mutate('secrets.add', { workspaceId: row.workspaceId, name: 'registry', value: 'reg_T0kenValue0000000000000000', hosts: ['secure.test'] })).error).toBeNull();
    const https = (method: string, p: string) => run(`curl -sS --max-time 40 -X ${method} -w ' status=%{http_code}' https://secure.test:${securePort}${p}; echo " token=\${REGISTRY:-none}"`);
    expect(await https('GET', '/pkg')).toMatch(/hello-over-tls GET \/pkg\s+status=200 token=none/);
    expect(secureHits.at(-1)).toEqual({ line: 'GET /pkg', authorization: 'Bearer reg_T0kenValue0000000000000000' });

    const pendingWrite = async () => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        const queue = (await admin.query('approvals.queue')).data as { id: string; tool: string; risk: string; reason: string }[];
        const found = queue.find((a) => a.tool === 'network' && a.risk === 'high');
        if (found) return found;
      }
      throw new Error('no write approval appeared');
    };
    const denied = https('PUT', '/pkg-denied');
    let approval = await pendingWrite();
    expect(approval.reason).toContain('workspace wants to write: PUT /pkg-denied on secure.test');
    expect((await member.mutate('approvals.decide', { sessionId, approvalId: approval.id, approve: true })).error?.code).toBe('FORBIDDEN');
    expect((await admin.mutate('approvals.decide', { sessionId, approvalId: approval.id, approve: false })).error).toBeNull();
    expect(await denied).toMatch(/Tether egress: denied by Ada Admin\s+status=403/);
    expect(secureHits.map((h) => h.line)).not.toContain('PUT /pkg-denied');

    const granted = https('PUT', '/pkg-granted');
    approval = await pendingWrite();
    await new Promise((r) => setTimeout(r, 300));
    expect(secureHits.map((h) => h.line)).not.toContain('PUT /pkg-granted');
    expect((await admin.mutate('approvals.decide', { sessionId, approvalId: approval.id, approve: true })).error).toBeNull();
    expect(await granted).toContain('hello-over-tls PUT /pkg-granted');
    // The write's audit entry lands after its response; each tunnel's CONNECT has one of its own.
    const adaId = (await app.services.db.user.findFirstOrThrow({ where: { name: 'Ada Admin' } })).id;
    const audit = async () => (await app.services.db.auditEntry.findMany({ where: { target: `secure.test:${securePort}` }, orderBy: { createdAt: 'asc' } }))
      .map((a) => [a.action, (a.detail as { method: string }).method, (a.detail as { path: string | null }).path, a.actorId]);
    await expect.poll(audit, { timeout: 10_000 }).toEqual(expect.arrayContaining([
      ['egress.denied', 'PUT', '/pkg-denied', adaId], ['egress.allowed', 'PUT', '/pkg-granted', adaId],
    ]));
  }, 120_000);

  it('off again: the proxy is gone from new processes', async () => {
    await admin.mutate('sessions.setNetwork', { id: sessionId, allowed: false });
    expect(await curl('allowed.test', '/after')).not.toContain('hello-from-host');
    const events = (await member.query('sessions.events', { sessionId })).data as { type: string; payload: { allowed?: boolean } }[];
    expect(events.filter((e) => e.type === 'workspace.network').map((e) => e.payload.allowed)).toEqual([true, false]);
  });
});
