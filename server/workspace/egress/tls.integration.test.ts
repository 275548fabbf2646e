// TLS termination from inside a real network-on sandbox: the workspace's clients see a leaf signed
// by the workspace CA, the proxy verifies the real upstream's certificate, and requests that write
// (an npm-publish-shaped PUT, a git push) wait for a person and reach the upstream only on yes.
// Upstreams are local HTTPS servers with their own test CA, pinned as the names the sandbox uses.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../provider.ts';
import { createLocalProvider, type LocalProvider } from '../local-provider.ts';
import { runInPty, silentLog, TEST_LIMITS, uidBase } from '../testing.ts';
import { WorkspaceCa } from './ca.ts';
import { allowlistMatches } from './hosts.ts';
import type { EgressAttempt, EgressRequest, EgressVerdict } from './proxy.ts';

let base: string;
let provider: LocalProvider;
let ws: Workspace;
let trusted: https.Server;
let untrusted: https.Server;
let port: number;
let untrustedPort: number;
/** Trusted CA, but its certificate names another host. */
let mismatched: https.Server;
let mismatchedPort: number;
let repoDir: string;
const hits: string[] = [];
const attempts: EgressAttempt[] = [];
const writes: { r: EgressRequest; what: string; answer(v: EgressVerdict): void }[] = [];

/** An HTTPS upstream: git's smart HTTP (git http-backend as CGI) under /repo.git, "hello <path>" elsewhere. */
function upstreamHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  hits.push(`${req.method} ${req.url}`);
  const url = new URL(req.url ?? '/', 'https://x');
  if (!url.pathname.startsWith('/repo.git')) {
    req.resume();
    res.end(`hello ${req.method} ${url.pathname}`);
    return;
  }
  const cgi = spawn('git', ['http-backend'], {
    env: {
      ...process.env, GIT_PROJECT_ROOT: base, GIT_HTTP_EXPORT_ALL: '1', REQUEST_METHOD: req.method, PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1), CONTENT_TYPE: req.headers['content-type'] ?? '', REMOTE_USER: 'tester', REMOTE_ADDR: '127.0.0.1',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '', GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
    },
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let sent = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (sent) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    sent = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString().split('\r\n')) {
      const [k, ...v] = line.split(':');
      if (k!.toLowerCase() === 'status') status = Number(v.join(':').trim().split(' ')[0]);
      else res.setHeader(k!, v.join(':').trim());
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  cgi.on('close', () => res.end());
}

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-egress-tls-test-'));
  await fs.chmod(base, 0o711);
  const testCa = await WorkspaceCa.open(path.join(base, 'test-ca'), 'test upstreams');
  const otherCa = await WorkspaceCa.open(path.join(base, 'other-ca'), 'nobody trusts this');
  trusted = https.createServer({ SNICallback: (name, cb) => void testCa.contextFor(name).then((c) => cb(null, c), cb) }, upstreamHandler);
  untrusted = https.createServer({ SNICallback: (name, cb) => void otherCa.contextFor(name).then((c) => cb(null, c), cb) }, upstreamHandler);
  await new Promise<void>((r) => trusted.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => untrusted.listen(0, '127.0.0.1', r));
  const elsewhere = await testCa.contextFor('someone-else.test');
  mismatched = https.createServer({ SNICallback: (_name, cb) => cb(null, elsewhere) }, upstreamHandler);
  await new Promise<void>((r) => mismatched.listen(0, '127.0.0.1', r));
  mismatchedPort = (mismatched.address() as AddressInfo).port;
  port = (trusted.address() as AddressInfo).port;
  untrustedPort = (untrusted.address() as AddressInfo).port;

  repoDir = path.join(base, 'repo.git');
  execFileSync('git', ['init', '-q', '--bare', repoDir]);
  execFileSync('git', ['config', 'http.receivepack', 'true'], { cwd: repoDir });

  provider = await createLocalProvider({
    dataDir: path.join(base, 'data'), unsafeNoSandbox: false, limits: TEST_LIMITS, log: silentLog,
    egress: {
      pinned: new Map([
        [`allowed.test:${port}`, { host: '127.0.0.1', port }], [`opaque.test:${port}`, { host: '127.0.0.1', port }],
        [`untrusted.test:${untrustedPort}`, { host: '127.0.0.1', port: untrustedPort }],
        [`mismatched.test:${mismatchedPort}`, { host: '127.0.0.1', port: mismatchedPort }],
      ]),
      upstreamCa: [testCa.certPem],
      opaqueHosts: ['opaque.test'],
      policy: {
        decide: (_ws, r) => {
          const entry = allowlistMatches(['allowed.test', 'untrusted.test', 'mismatched.test', 'opaque.test'], r.host);
          return Promise.resolve(entry ? { allow: true, by: `allowlist:${entry}`, reason: 'listed' } : { allow: false, by: 'test', reason: 'not listed' });
        },
        approveWrite: (_ws, r, what, signal) => new Promise((resolve) => {
          writes.push({ r, what, answer: resolve });
          signal.addEventListener('abort', () => resolve({ allow: false, by: 'timeout', reason: 'nobody answered' }));
        }),
        record: (_ws, a) => attempts.push(a),
      },
    },
  });
  ws = await provider.create({ id: 'tls-on', source: { kind: 'empty' }, networkAllowed: true, uid: uidBase() + 11 });
}, 60_000);

afterAll(async () => {
  for (const id of await provider.ids()) await provider.destroy(id);
  await provider.shutdown();
  trusted.close();
  untrusted.close();
  mismatched.close();
  await fs.rm(base, { recursive: true, force: true });
});

describe('TLS termination in the egress proxy', () => {
  it('serves an allowed host over HTTPS with a leaf from the workspace CA, which only the sandbox trusts', async () => {
    const r = await runInPty(ws, `curl -sS -v --max-time 20 https://allowed.test:${port}/read 2>&1; echo " exit=$?"`, 40_000);
    expect(r.output).toContain('hello GET /read');
    expect(r.output).toMatch(/issuer: O=Tether; CN=Tether workspace tls-on egress CA/);
    expect(r.output).toContain('exit=0');
    expect(writes).toEqual([]);
  }, 60_000);

  it('verifies the upstream: a host whose certificate the proxy does not trust, or that names another host, is never sent the request', async () => {
    const before = hits.length;
    const r = await runInPty(ws, [
      `curl -s -o /dev/null -w 'untrusted=%{http_code}' --max-time 20 https://untrusted.test:${untrustedPort}/secret`,
      `curl -s -o /dev/null -w 'mismatched=%{http_code}' --max-time 20 https://mismatched.test:${mismatchedPort}/secret`,
    ].join('; echo; '), 40_000);
    expect(r.output).toContain('untrusted=502');
    expect(r.output).toContain('mismatched=502');
    expect(hits.slice(before)).toEqual([]);
  }, 60_000);

  it('leaves a host listed as opaque alone: the client meets the upstream\'s own certificate, and nothing inside is seen', async () => {
    const r = await runInPty(ws, [
      `curl -s -o /dev/null --max-time 20 https://opaque.test:${port}/; echo " strict-exit=$?"`,
      `curl -s -k --max-time 20 -X PUT --data x https://opaque.test:${port}/opaque-put; echo " insecure-exit=$?"`,
    ].join('; '), 40_000);
    // 60: the upstream's certificate is from the test CA, which the sandbox does not trust — no leaf of the workspace CA.
    expect(r.output).toContain('strict-exit=60');
    expect(r.output).toContain('hello PUT /opaque-put insecure-exit=0');
    expect(writes).toEqual([]);
    expect(attempts.filter((a) => a.host === 'opaque.test').map((a) => a.method)).toEqual(['CONNECT', 'CONNECT']);
  }, 60_000);

  it('keeps the CA key root-only on the host, gives the sandbox only the certificate, and deletes the key with the workspace', async () => {
    const other = await provider.create({ id: 'tls-gone', source: { kind: 'empty' }, networkAllowed: true, uid: uidBase() + 12 });
    const keys = () => execFileSync('find', [base, '-path', '*/egress/ca/*', '-name', 'ca.key']).toString().trim().split('\n').filter(Boolean);
    expect(keys()).toHaveLength(2);
    for (const k of keys()) {
      expect((await fs.stat(k)).mode & 0o777).toBe(0o600);
      expect((await fs.stat(path.dirname(k))).mode & 0o777).toBe(0o700);
      expect((await fs.stat(k)).uid).toBe(0);
    }
    const r = await runInPty(other, `grep -c 'BEGIN CERTIFICATE' "$SSL_CERT_FILE"; grep -c 'PRIVATE KEY' "$SSL_CERT_FILE"; echo "node=$NODE_EXTRA_CA_CERTS git=$GIT_SSL_CAINFO"`);
    expect(r.output).toMatch(/^\d{2,}\r?$/m);
    expect(r.output).toMatch(/^0\r?$/m);
    expect(r.output).toContain('node=/run/tether/ca-bundle.pem git=/run/tether/ca-bundle.pem');
    // Each workspace trusts its own CA only: the first certificate of the bundles differs.
    const firstCert = `sed '/END CERTIFICATE/q' "$SSL_CERT_FILE" | sha256sum | cut -c1-16 | sed 's/^/first=/'`;
    const mine = /first=(\w+)/.exec((await runInPty(ws, firstCert)).output)?.[1];
    const theirs = /first=(\w+)/.exec((await runInPty(other, firstCert)).output)?.[1];
    expect(mine).toMatch(/^\w{16}$/);
    expect(theirs).toMatch(/^\w{16}$/);
    expect(mine).not.toBe(theirs);
    await provider.destroy('tls-gone');
    expect(keys()).toHaveLength(1);
  }, 60_000);

  it('holds an npm-publish-shaped PUT until a person answers; it reaches the upstream only on yes', async () => {
    const put = (name: string) => runInPty(ws, `curl -s -w ' code=%{http_code}' --max-time 30 -X PUT --data '{"name":"${name}"}' https://allowed.test:${port}/${name}`, 45_000);
    const denied = put('denied-pkg');
    await waitFor(() => writes.length === 1);
    expect(writes[0]!.r).toMatchObject({ host: 'allowed.test', method: 'PUT', path: '/denied-pkg' });
    await new Promise((r) => setTimeout(r, 300));
    expect(hits).not.toContain('PUT /denied-pkg');
    writes.shift()!.answer({ allow: false, by: 'user-1', reason: 'denied by Ada' });
    expect((await denied).output).toContain('code=403');
    expect(hits).not.toContain('PUT /denied-pkg');

    const granted = put('granted-pkg');
    await waitFor(() => writes.length === 1);
    expect(hits).not.toContain('PUT /granted-pkg');
    writes.shift()!.answer({ allow: true, by: 'user-1', reason: 'approved by Ada' });
    expect((await granted).output).toContain('hello PUT /granted-pkg code=200');
    expect(attempts.filter((a) => a.method === 'PUT').map((a) => [a.path, a.allow, a.by])).toEqual([['/denied-pkg', false, 'user-1'], ['/granted-pkg', true, 'user-1']]);
  }, 90_000);

  it('holds a real npm publish until a person answers; its PUT reaches the registry only on yes', async () => {
    const publish = (version: string) => runInPty(ws, [
      'mkdir -p /workspace/pkg', 'cd /workspace/pkg',
      `printf '{"name":"tether-egress-test","version":"${version}"}' > package.json`,
      `npm publish --registry https://allowed.test:${port}/ --//allowed.test:${port}/:_authToken=test-token 2>&1; echo " publish-exit=$?"`,
    ].join(' && '), 90_000);
    const denied = publish('1.0.0');
    await waitFor(() => writes.length === 1, 60_000);
    expect(writes[0]!.r).toMatchObject({ host: 'allowed.test', method: 'PUT', path: '/tether-egress-test' });
    expect(writes[0]!.what).toBe('PUT /tether-egress-test on allowed.test');
    writes.shift()!.answer({ allow: false, by: 'user-1', reason: 'denied by Ada' });
    const out = (await denied).output;
    expect(out).toMatch(/E403/);
    expect(out).not.toContain('publish-exit=0');
    expect(hits).not.toContain('PUT /tether-egress-test');

    const granted = publish('1.0.1');
    await waitFor(() => writes.length === 1, 60_000);
    writes.shift()!.answer({ allow: true, by: 'user-1', reason: 'approved by Ada' });
    expect((await granted).output).toContain('publish-exit=0');
    expect(hits).toContain('PUT /tether-egress-test');
  }, 120_000);

  it('terminates SOCKS5 connections too, so a write cannot go round the gate that way', async () => {
    const r = runInPty(ws, `export NO_PROXY= no_proxy=; curl -s --max-time 30 --socks5-hostname 127.0.0.1:3128 -X PUT --data x -w ' code=%{http_code}' https://allowed.test:${port}/socks-put`, 45_000);
    await waitFor(() => writes.length === 1);
    expect(writes[0]!.r).toMatchObject({ host: 'allowed.test', method: 'PUT', path: '/socks-put' });
    writes.shift()!.answer({ allow: false, by: 'user-1', reason: 'denied by Ada' });
    expect((await r).output).toContain('code=403');
    expect(hits).not.toContain('PUT /socks-put');
  }, 60_000);

  it('holds a git push over HTTPS until a person answers; denied, the repository is unchanged; approved, it lands', async () => {
    const push = (branch: string) => runInPty(ws, [
      'cd /workspace', 'rm -rf p', 'git init -q p', 'cd p',
      `git -c user.name=t -c user.email=t@t commit -q --allow-empty -m ${branch}`,
      `git push -q https://allowed.test:${port}/repo.git HEAD:refs/heads/${branch} 2>&1; echo " push-exit=$?"`,
    ].join(' && '), 60_000);
    /** Answers every approval the push raises; returns how many it raised. */
    const answerAll = async (verdict: EgressVerdict, done: Promise<unknown>) => {
      let settled = false;
      let asked = 0;
      void done.finally(() => { settled = true; });
      while (!settled) {
        await waitFor(() => writes.length > 0 || settled, 60_000);
        const w = writes.shift();
        if (w) { expect(w.what).toBe('git push to allowed.test'); w.answer(verdict); asked++; }
      }
      return asked;
    };
    const denied = push('denied');
    await answerAll({ allow: false, by: 'user-1', reason: 'denied by Ada' }, denied);
    expect((await denied).output).not.toContain('push-exit=0');
    expect(hits.some((h) => h.includes('git-receive-pack'))).toBe(false);
    expect(() => execFileSync('git', ['rev-parse', '--verify', 'refs/heads/denied'], { cwd: repoDir, stdio: 'pipe' })).toThrow();

    const granted = push('granted');
    // One yes covers the push: the ref listing and the pack go over one connection.
    expect(await answerAll({ allow: true, by: 'user-1', reason: 'approved by Ada' }, granted)).toBe(1);
    expect((await granted).output).toContain('push-exit=0');
    expect(execFileSync('git', ['log', '--format=%s', 'refs/heads/granted'], { cwd: repoDir }).toString().trim()).toBe('granted');
    expect(attempts.some((a) => a.path?.endsWith('/git-receive-pack') && a.method === 'POST' && a.allow)).toBe(true);
  }, 120_000);
});

async function waitFor(ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
