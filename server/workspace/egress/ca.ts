// A workspace's own certificate authority, so its egress proxy can terminate TLS to allowed hosts
// and see (and gate) the requests inside. The key never leaves a root-only directory on the host;
// only the certificate goes into the sandbox, concatenated with the system bundle so every other
// host still verifies. Trusted by that workspace's sandboxes alone: nothing else names it.
// Certificates are made with the openssl CLI (Debian's openssl package, already on the host):
// Node can make keys but not X.509 certificates, and the CLI spares a dependency.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The system bundle the workspace CA is appended to (Debian's ca-certificates). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const CA_DAYS = 3650;
/** Browsers cap leaf lifetimes at 398 days; clients inside may be as strict. */
const LEAF_DAYS = 397;
const EC = ['-pkeyopt', 'ec_paramgen_curve:prime256v1'];

export class WorkspaceCa {
  private readonly leaves = new Map<string, Promise<tls.SecureContext>>();

  private constructor(private readonly dir: string, readonly certPem: string) {}

  /**
   * Loads the CA kept in `dir` (created 0700 on first use, owned by root), making it once.
   * `name` only labels the certificate.
   */
  static async open(dir: string, name: string): Promise<WorkspaceCa> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
    const cert = path.join(dir, 'ca.crt');
    const key = path.join(dir, 'ca.key');
    if (!(await exists(cert)) || !(await exists(key))) {
      await run('openssl', ['req', '-x509', '-newkey', 'ec', ...EC, '-noenc', '-keyout', key, '-out', cert, '-days', String(CA_DAYS),
        '-subj', `/O=Tether/CN=Tether workspace ${name.replace(/[^\w.-]/g, '_').slice(0, 40)} egress CA`, '-config', '/dev/null',
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      await run('openssl', ['genpkey', '-algorithm', 'EC', ...EC, '-out', path.join(dir, 'leaf.key')]);
      await fs.chmod(key, 0o600);
    }
    return new WorkspaceCa(dir, await fs.readFile(cert, 'utf8'));
  }

  /** The bundle a sandbox trusts: this CA, then the system's. */
  async bundle(): Promise<string> {
    const system = await fs.readFile(SYSTEM_CA_BUNDLE, 'utf8').catch(() => '');
    return `${this.certPem}${system}`;
  }

  /** A TLS context presenting a leaf for `host` signed by this CA; made once per host. */
  contextFor(host: string): Promise<tls.SecureContext> {
    let ctx = this.leaves.get(host);
    if (!ctx) {
      ctx = this.leaf(host);
      this.leaves.set(host, ctx);
      ctx.catch(() => this.leaves.delete(host));
    }
    return ctx;
  }

  private async leaf(host: string): Promise<tls.SecureContext> {
    const key = path.join(this.dir, 'leaf.key');
    const san = net.isIP(host) ? `IP:${host}` : `DNS:${host}`;
    // `host` is a validated destination name or IP literal (hosts.ts), never an option or a path.
    const { stdout } = await run('openssl', ['req', '-x509', '-new', '-key', key, '-CA', path.join(this.dir, 'ca.crt'), '-CAkey', path.join(this.dir, 'ca.key'),
      '-subj', `/CN=${host}`, '-days', String(LEAF_DAYS), '-config', '/dev/null',
      '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth']);
    return tls.createSecureContext({ key: await fs.readFile(key), cert: `${stdout}${this.certPem}` });
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}
