// From inside a real network-on sandbox: the host's services and private ranges are unreachable
// (directly and through the proxy, and fast); an allowlisted name is reachable; an unlisted name
// waits for a person and connects only once they say yes. Upstreams are local test servers the
// proxy is told to treat as those names (pinned), so no traffic leaves this machine.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../provider.ts';
import { runInPty, silentLog, TEST_LIMITS, uidBase } from '../testing.ts';
import { createLocalProvider, type LocalProvider } from '../local-provider.ts';
import type { EgressAttempt, EgressRequest, EgressVerdict } from './proxy.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import { allowlistMatches } from './hosts.ts';
import { execFileSync } from 'node:child_process';

let base: string;
let provider: LocalProvider;
let on: Workspace;
let off: Workspace;
let upstream: http.Server;
let port: number;
const hits: string[] = [];
const attempts: EgressAttempt[] = [];
const asked: { r: EgressRequest; answer(v: EgressVerdict): void }[] = [];
const uid = uidBase();

/** A bare repository served over git's "dumb" HTTP protocol by the upstream, under /repo.git/. */
let repoDir: string;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.headers.host}${req.url}`);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/moved.git/')) {
      res.writeHead(302, { location: `http://other.test:${port}${url.pathname.replace('/moved.git/', '/repo.git/')}${url.search}` });
      return res.end();
    }
    if (url.pathname.startsWith('/repo.git/')) {
      return fs.readFile(path.join(repoDir, url.pathname.slice('/repo.git/'.length))).then((b) => res.end(b), () => { res.statusCode = 404; res.end(); });
    }
    res.end(`hello ${req.url}`);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  port = (upstream.address() as AddressInfo).port;
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-egress-test-'));
  await fs.chmod(base, 0o711);
  repoDir = path.join(base, 'repo.git');
  const work = path.join(base, 'work');
  await fs.mkdir(work);
  await fs.writeFile(path.join(work, 'README.md'), 'cloned through the proxy\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: work });
  git('init', '-q'); git('add', '.'); git('commit', '-qm', 'first');
  execFileSync('git', ['clone', '-q', '--bare', work, repoDir]);
  execFileSync('git', ['update-server-info'], { cwd: repoDir });
  const pinned = new Map(['allowed.test', 'unlisted.test', 'repo.test', 'other.test'].map((h) => [`${h}:${port}`, { host: '127.0.0.1', port }]));
  provider = await createLocalProvider({
    dataDir: path.join(base, 'data'), unsafeNoSandbox: false, limits: TEST_LIMITS, log: silentLog,
    egress: {
      pinned,
      policy: {
        decide: (_ws, r, signal) => {
          const entry = allowlistMatches(['allowed.test'], r.host);
          if (entry) return Promise.resolve({ allow: true, by: `allowlist:${entry}`, reason: 'listed' });
          return new Promise((resolve) => {
            asked.push({ r, answer: resolve });
            signal.addEventListener('abort', () => resolve({ allow: false, by: 'timeout', reason: 'nobody answered' }));
          });
        },
        approveWrite: () => Promise.resolve({ allow: false, by: 'test', reason: 'these tests do not write' }),
        record: (_ws, a) => attempts.push(a),
      },
    },
  });
  on = await provider.create({ id: 'net-on', source: { kind: 'empty' }, networkAllowed: true, uid: uid + 1 });
  off = await provider.create({ id: 'net-off', source: { kind: 'empty' }, networkAllowed: false, uid: uid + 2 });
});

afterAll(async () => {
  for (const id of await provider.ids()) await provider.destroy(id);
  await provider.shutdown();
  upstream.close();
  await fs.rm(base, { recursive: true, force: true });
});

const hostAddresses = () => Object.values(os.networkInterfaces()).flat()
  .filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);

/** Opens a TCP connection with bash's /dev/tcp, bypassing any proxy. */
const direct = (host: string, p: number) => `timeout 5 bash -c 'exec 3<>/dev/tcp/${host}/${p}' 2>/dev/null && echo "${host}:${p} OPEN" || echo "${host}:${p} CLOSED"`;
/** The proxy's answer to a tunnel (CONNECT) and to a plain request, as HTTP status codes (NO_PROXY cleared: loopback too). */
const viaProxy = (host: string, p: number) =>
  `export NO_PROXY= no_proxy=; echo "${host}:${p} tunnel=$(curl -s -o /dev/null -p --max-time 10 -w '%{http_connect}' http://${host}:${p}/) plain=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' http://${host}:${p}/)"`;

describe('egress from a network-on workspace', () => {
  it('cannot open a connection to the host, private ranges or metadata, directly or through the proxy, and fails fast', async () => {
    const targets: [string, number][] = [
      ['127.0.0.1', 5432], ['127.0.0.1', 6379], ['127.0.0.1', port], ['10.0.0.1', 80], ['169.254.169.254', 80],
      ...hostAddresses().map((a) => [a, port] as [string, number]),
    ];
    const started = Date.now();
    const r = await runInPty(on, [...targets.map(([h, p]) => direct(h, p)), ...targets.map(([h, p]) => viaProxy(h, p)), viaProxy('localhost', port)].join('; '), 60_000);
    const seconds = (Date.now() - started) / 1000;
    for (const [h, p] of targets) {
      expect(r.output).toContain(`${h}:${p} CLOSED`);
      expect(r.output).toContain(`${h}:${p} tunnel=403 plain=403`);
    }
    // A name that resolves to loopback is judged by its address, not its name.
    expect(r.output).toContain(`localhost:${port} tunnel=403 plain=403`);
    expect(hits).toEqual([]);
    expect(asked).toEqual([]);
    // Refused at once, no time-outs: well under the 5 s a hanging connect would take each.
    expect(seconds).toBeLessThan(20);
    expect(attempts.filter((a) => a.by === 'egress:address').length).toBeGreaterThanOrEqual(targets.length * 2);
  }, 90_000);

  it('reaches an allowlisted host through the proxy, tunnelled and plain, and records it', async () => {
    const r = await runInPty(on, `curl -s -p --max-time 10 http://allowed.test:${port}/tunnel; echo; curl -s --max-time 10 http://allowed.test:${port}/plain?x=1; echo`);
    expect(r.output).toContain('hello /tunnel');
    expect(r.output).toContain('hello /plain?x=1');
    expect(hits).toContain(`GET allowed.test:${port}/plain?x=1`);
    const seen = attempts.filter((a) => a.host === 'allowed.test');
    expect(seen.map((a) => [a.method, a.path, a.allow, a.by])).toEqual([
      ['CONNECT', null, true, 'allowlist:allowed.test'],
      ['GET', '/plain?x=1', true, 'allowlist:allowed.test'],
    ]);
  });

  it('refuses a plain-HTTP request that writes to an allowlisted host, proxied or tunnelled, unless a person approves it', async () => {
    const r = await runInPty(on, [
      `curl -s --max-time 10 -X PUT --data x -w ' code=%{http_code}' http://allowed.test:${port}/publish`,
      `curl -s -p --max-time 10 -X POST --data x -w ' code=%{http_code}' http://allowed.test:${port}/tunnelled-post`,
    ].join('; echo; '));
    expect(r.output).toMatch(/these tests do not write\s+code=403\s+Tether egress: these tests do not write\s+code=403/);
    expect(hits.filter((h) => h.startsWith('PUT') || h.startsWith('POST'))).toEqual([]);
    // The plain request: the host is on the allowlist, and the write was refused; the tunnel: CONNECT allowed, the POST inside refused.
    expect(attempts.filter((a) => a.method === 'PUT' || a.method === 'POST').map((a) => [a.path, a.allow, a.by])).toEqual([
      ['/publish', true, 'allowlist:allowed.test'], ['/publish', false, 'test'], ['/tunnelled-post', false, 'test'],
    ]);
  });

  it('speaks SOCKS5 on the same port, with the same checks', async () => {
    const socks = (flag: string, url: string) => `export NO_PROXY= no_proxy=; curl -s --max-time 10 ${flag} 127.0.0.1:3128 ${url}; echo " ${url} exit=$?"`;
    const r = await runInPty(on, [
      socks('--socks5-hostname', `http://allowed.test:${port}/socks`),
      socks('--socks5-hostname', `http://localhost:${port}/`),
      socks('--socks5', `http://127.0.0.1:${port}/`),
      socks('--socks5', 'http://169.254.169.254/'),
    ].join('; '));
    expect(r.output).toContain(`hello /socks http://allowed.test:${port}/socks exit=0`);
    expect(r.output).toMatch(new RegExp(`http://localhost:${port}/ exit=(97|7)`));
    expect(r.output).toMatch(new RegExp(`http://127.0.0.1:${port}/ exit=(97|7)`));
    expect(r.output).toMatch(/http:\/\/169.254.169.254\/ exit=(97|7)/);
    expect(attempts.filter((a) => a.method === 'SOCKS').map((a) => [a.host, a.allow])).toEqual([
      ['allowed.test', true], ['localhost', false], ['127.0.0.1', false], ['169.254.169.254', false],
    ]);
  });

  it('holds a connection to an unlisted host until a person answers, and connects only on yes', async () => {
    const before = hits.length;
    const denied = runInPty(on, `curl -s -p --max-time 20 -w ' connect=%{http_connect}' http://unlisted.test:${port}/denied`, 30_000);
    await waitFor(() => asked.length === 1);
    expect(asked[0]!.r).toMatchObject({ host: 'unlisted.test', port, method: 'CONNECT' });
    expect(hits.length).toBe(before);
    asked.shift()!.answer({ allow: false, by: 'user-1', reason: 'denied by Ada' });
    expect((await denied).output).toContain('connect=403');

    const granted = runInPty(on, `curl -s --max-time 20 http://unlisted.test:${port}/granted`, 30_000);
    await waitFor(() => asked.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(hits.length).toBe(before);
    asked.shift()!.answer({ allow: true, by: 'user-1', reason: 'approved by Ada' });
    expect((await granted).output).toContain('hello /granted');
    expect(attempts.filter((a) => a.host === 'unlisted.test').map((a) => [a.allow, a.by])).toEqual([[false, 'user-1'], [true, 'user-1']]);
  }, 60_000);

  it('provisioning from a URL reaches that host only, without asking, and is recorded', async () => {
    const before = attempts.length;
    const ws = await provider.create({ id: 'cloned', source: { kind: 'git', url: `http://repo.test:${port}/repo.git` }, networkAllowed: false, uid: uid + 3 });
    expect(await ws.files.read('README.md')).toMatchObject({ content: 'cloned through the proxy\n' });
    const cloneAttempts = attempts.slice(before);
    expect(cloneAttempts.length).toBeGreaterThan(0);
    expect(cloneAttempts.every((a) => a.host === 'repo.test' && a.allow && a.by === 'setup:clone')).toBe(true);
    // A redirect elsewhere is refused: the setup phase is for the clone URL's host only.
    const moved = provider.create({ id: 'moved', source: { kind: 'git', url: `http://repo.test:${port}/moved.git` }, networkAllowed: false, uid: uid + 4 });
    await expect(moved).rejects.toThrow();
    expect(attempts.some((a) => a.host === 'other.test' && !a.allow && a.by === 'setup:clone')).toBe(true);
    expect(hits.some((h) => h.includes('other.test'))).toBe(false);
    expect(asked).toEqual([]);
    // Afterwards the workspace's own setting applies: network off.
    const r = await runInPty(ws, `curl -s --max-time 5 http://repo.test:${port}/repo.git/HEAD; echo " exit=$?"`);
    expect(r.output).not.toContain('ref: refs/heads');
  }, 60_000);

  it('gives a network-off workspace no way out at all', async () => {
    const r = await runInPty(off, `${direct('127.0.0.1', port)}; test -e /run/tether/egress && echo SOCKET || echo NOSOCKET; echo "proxy=$HTTPS_PROXY"`);
    expect(r.output).toContain(`127.0.0.1:${port} CLOSED`);
    expect(r.output).toContain('NOSOCKET');
    expect(r.output).toContain('proxy=\r');
  });
});

async function waitFor(ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
