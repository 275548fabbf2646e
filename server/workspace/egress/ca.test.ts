import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceCa } from './ca.ts';

let base: string;
beforeAll(async () => { base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-ca-test-')); });
afterAll(async () => { await fs.rm(base, { recursive: true, force: true }); });

/** The leaf a TLS client is shown for `servername`, and whether it verified against `ca`. */
async function handshake(ca: WorkspaceCa, servername: string, trust: string): Promise<{ authorized: boolean; error: string | null; leaf: X509Certificate }> {
  const server = tls.createServer({ SNICallback: (name, cb) => void ca.contextFor(name).then((c) => cb(null, c), cb) }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port, servername, ca: trust, rejectUnauthorized: false }, () => {
        const leaf = c.getPeerX509Certificate()!;
        const named = net.isIP(servername) ? leaf.checkIP(servername) : leaf.checkHost(servername);
        const error = c.authorizationError ? String(c.authorizationError) : named ? null : `not named ${servername}`;
        c.destroy();
        resolve({ authorized: error === null, error, leaf });
      });
      c.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('WorkspaceCa (certificates made in-process)', () => {
  it('makes a CA whose leaves verify for their host name, and only against that CA', async () => {
    const ca = await WorkspaceCa.open(path.join(base, 'one'), 'ws-1');
    const other = await WorkspaceCa.open(path.join(base, 'two'), 'ws-2');
    const ok = await handshake(ca, 'example.test', ca.certPem);
    expect(ok).toMatchObject({ authorized: true, error: null });
    expect(ok.leaf.subjectAltName).toBe('DNS:example.test');
    expect(ok.leaf.ca).toBe(false);
    expect(ok.leaf.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    const wrongCa = await handshake(ca, 'example.test', other.certPem);
    expect(wrongCa.authorized).toBe(false);
    const root = new X509Certificate(ca.certPem);
    expect(root.ca).toBe(true);
    expect(root.subject).toBe('O=Tether\nCN=Tether workspace ws-1 egress CA');
    expect(root.verify(root.publicKey)).toBe(true);
  });

  it('names IPv4 and IPv6 literals as IP addresses', async () => {
    const ca = await WorkspaceCa.open(path.join(base, 'ip'), 'ip');
    const v4 = await handshake(ca, '10.1.2.3', ca.certPem);
    expect(v4.leaf.subjectAltName).toBe('IP Address:10.1.2.3');
    expect(v4.leaf.checkIP('10.1.2.3')).toBe('10.1.2.3');
    const v6 = await handshake(ca, '2001:db8::1', ca.certPem);
    expect(v6.leaf.checkIP('2001:db8::1')).toBe('2001:db8::1');
    expect(v6.leaf.checkIP('2001:db8::2')).toBeUndefined();
  });

  it('keeps keys root-only and loads the same CA again', async () => {
    const dir = path.join(base, 'again');
    const first = await WorkspaceCa.open(dir, 'again');
    for (const f of ['ca.key', 'leaf.key']) expect((await fs.stat(path.join(dir, f))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    const second = await WorkspaceCa.open(dir, 'again');
    expect(second.certPem).toBe(first.certPem);
    expect((await handshake(second, 'again.test', first.certPem)).authorized).toBe(true);
  });

  it('passes OpenSSL\'s strict X.509 checks (what Python 3.13 and others enforce)', async () => {
    const dir = path.join(base, 'strict');
    const ca = await WorkspaceCa.open(dir, 'strict');
    const leaf = (await handshake(ca, 'strict.test', ca.certPem)).leaf;
    await fs.writeFile(path.join(dir, 'leaf.pem'), leaf.toString());
    const out = execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'strict.test', '-CAfile', path.join(dir, 'ca.crt'), path.join(dir, 'leaf.pem')]).toString();
    expect(out).toContain('OK');
  });

  it('signs leaves for a CA the openssl CLI made before (the issuer is copied byte for byte)', async () => {
    const dir = path.join(base, 'legacy');
    await fs.mkdir(dir, { mode: 0o700 });
    const ec = ['-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', ...ec, '-noenc', '-keyout', path.join(dir, 'ca.key'), '-out', path.join(dir, 'ca.crt'), '-days', '30',
      '-subj', '/O=Tether/CN=old CA', '-config', '/dev/null', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { stdio: 'ignore' });
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', ...ec, '-out', path.join(dir, 'leaf.key')], { stdio: 'ignore' });
    const ca = await WorkspaceCa.open(dir, 'ignored');
    expect((await handshake(ca, 'legacy.test', ca.certPem))).toMatchObject({ authorized: true, error: null });
  });
});
