// A workspace's own certificate authority, so its egress proxy can terminate TLS to allowed hosts
// and see (and gate) the requests inside. The key never leaves a root-only directory on the host;
// only the certificate goes into the sandbox, concatenated with the system bundle so every other
// host still verifies. Trusted by that workspace's sandboxes alone: nothing else names it.
// Keys and certificates are made in-process (node:crypto and x509.ts), not by the openssl CLI:
// a new workspace then starts no process for its CA. Keys are PKCS#8 PEM, as openssl wrote them,
// so CAs made before keep loading.
import { createPrivateKey, createPublicKey, generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { certificateSubject, distinguishedName, issueCertificate, keyId } from './x509.ts';

const newKey = promisify(generateKeyPair);

/** The system bundle the workspace CA is appended to (Debian's ca-certificates). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const CA_DAYS = 3650;
/** Browsers cap leaf lifetimes at 398 days; clients inside may be as strict. */
const LEAF_DAYS = 397;
const ORGANIZATION = 'Tether';

async function newEcKey(): Promise<KeyObject> {
  return (await newKey('ec', { namedCurve: 'prime256v1' })).privateKey;
}

const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;

export class WorkspaceCa {
  private readonly leaves = new Map<string, Promise<tls.SecureContext>>();

  private constructor(private readonly dir: string, readonly certPem: string) {
    const cert = new X509Certificate(certPem);
    this.issuerName = certificateSubject(cert.raw);
    this.issuerKeyId = keyId(cert.publicKey);
  }

  private readonly issuerName: Buffer;
  private readonly issuerKeyId: Buffer;

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
      const [caKey, leafKey] = await Promise.all([newEcKey(), newEcKey()]);
      const caPublic = createPublicKey(caKey);
      const subject = { o: ORGANIZATION, cn: `Tether workspace ${name.replace(/[^\w.-]/g, '_').slice(0, 40)} egress CA` };
      const certPem = issueCertificate({ subject, issuer: distinguishedName(subject), publicKey: caPublic, signingKey: caKey, issuerKeyId: keyId(caPublic), days: CA_DAYS, role: { ca: true } });
      await fs.writeFile(path.join(dir, 'leaf.key'), pem(leafKey), { mode: 0o600 });
      await fs.writeFile(key, pem(caKey), { mode: 0o600 });
      await fs.writeFile(cert, certPem, { mode: 0o644 });
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
    const [caKey, leafKey] = await Promise.all([
      fs.readFile(path.join(this.dir, 'ca.key')).then((k) => createPrivateKey(k)),
      fs.readFile(path.join(this.dir, 'leaf.key')).then((k) => createPrivateKey(k)),
    ]);
    // `host` is a validated destination name or IP literal (hosts.ts).
    const cert = issueCertificate({
      subject: { cn: host }, issuer: this.issuerName, publicKey: createPublicKey(leafKey), signingKey: caKey,
      issuerKeyId: this.issuerKeyId, days: LEAF_DAYS, role: { leafFor: host },
    });
    return tls.createSecureContext({ key: pem(leafKey), cert: `${cert}${this.certPem}` });
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}
