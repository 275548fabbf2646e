// The two certificates a workspace's egress CA makes — the CA itself and a leaf per host — as
// DER, signed with node:crypto (P-256, ECDSA-SHA256). Node can make keys and verify
// certificates but not issue them; running the openssl CLI instead cost two process starts per
// new workspace, each forking the whole server (docs/benchmarks.md, issue 12). The encoder below
// covers exactly the fields these certificates use and nothing else.
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import net from 'node:net';

/** Clocks inside sandboxes and on clients may lag the server's a little. */
const BACKDATE_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n])
    : n < 0x100 ? Buffer.from([0x81, n])
      : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const octets = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), b]));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));

/** A non-negative INTEGER from big-endian bytes (a leading 0 keeps a high first bit positive). */
function unsigned(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && b[i + 1]! < 0x80) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const base128 = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) base128.unshift((v & 0x7f) | 0x80);
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

/** A distinguished name: O (optional) and CN, as UTF8Strings. */
export function distinguishedName(parts: { o?: string; cn: string }): Buffer {
  const rdn = (type: string, value: string) => set(seq(oid(type), tlv(0x0c, Buffer.from(value, 'utf8'))));
  return seq(...(parts.o ? [rdn(OID.organization, parts.o)] : []), rdn(OID.commonName, parts.cn));
}

const extension = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** RFC 5280's method 1: SHA-1 of the public key's bits (strict verifiers want it on both certificates). */
export function keyId(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // P-256 SPKI: the uncompressed point (65 bytes) is the BIT STRING's content, at the end.
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

export interface CertificateSpec {
  subject: { o?: string; cn: string };
  /** The issuer's subject exactly as its certificate encodes it (certificateSubject), or the subject's own for the CA. */
  issuer: Buffer;
  publicKey: KeyObject;
  /** The issuer's key (the subject's own for the CA). */
  signingKey: KeyObject;
  issuerKeyId: Buffer;
  days: number;
  /** A CA that signs leaves only (pathlen 0), or a server leaf for this host name or IP. */
  role: { ca: true } | { leafFor: string };
}

/** A signed X.509 v3 certificate as PEM. */
export function issueCertificate(s: CertificateSpec, now = new Date()): string {
  const sigAlg = seq(oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and its first byte never zero
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + s.days * DAY_MS);
  const extensions = 'ca' in s.role
    ? [
      extension(OID.basicConstraints, true, seq(bool(true), unsigned(Buffer.from([0])))),
      // keyCertSign (bit 5) and cRLSign (bit 6): 0b0000_0110, the last bit unused.
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)),
      extension(OID.subjectKeyIdentifier, false, octets(keyId(s.publicKey))),
    ]
    : [
      extension(OID.basicConstraints, true, seq()),
      // digitalSignature (bit 0), all an ECDHE handshake needs: 0b1000_0000, seven bits unused.
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, seq(altName(s.role.leafFor))),
      extension(OID.subjectKeyIdentifier, false, octets(keyId(s.publicKey))),
      extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, s.issuerKeyId))),
    ];
  const tbs = seq(
    explicit(0, unsigned(Buffer.from([2]))), // v3
    unsigned(serial),
    sigAlg,
    s.issuer,
    seq(time(notBefore), time(notAfter)),
    distinguishedName(s.subject),
    s.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const der = seq(tbs, sigAlg, bitString(sign('sha256', tbs, s.signingKey)));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

/** One DER element at `at`: where its content starts and where it ends. */
function element(der: Buffer, at: number): { content: number; end: number } {
  const first = der[at + 1]!;
  if (first < 0x80) return { content: at + 2, end: at + 2 + first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
  return { content: at + 2 + n, end: at + 2 + n + len };
}

/**
 * The subject Name of a certificate, byte for byte: a leaf's issuer must match its CA's subject
 * exactly, whoever encoded that (CAs made by the openssl CLI before this module existed too).
 */
export function certificateSubject(certDer: Buffer): Buffer {
  if (certDer[0] !== 0x30) throw new Error('not a DER certificate');
  const tbs = element(certDer, element(certDer, 0).content).content;
  let at = tbs;
  if (certDer[at] === 0xa0) at = element(certDer, at).end; // version
  for (let skip = 0; skip < 4; skip++) at = element(certDer, at).end; // serial, signature, issuer, validity
  return certDer.subarray(at, element(certDer, at).end);
}

/** dNSName ([2]) or iPAddress ([7], the address's bytes). */
function altName(host: string): Buffer {
  const family = net.isIP(host);
  if (family === 0) return tlv(0x82, Buffer.from(host, 'ascii'));
  if (family === 4) return tlv(0x87, Buffer.from(host.split('.').map(Number)));
  return tlv(0x87, ipv6Bytes(host));
}

function ipv6Bytes(host: string): Buffer {
  // net.SocketAddress normalises every spelling (::, embedded IPv4) to one canonical form.
  const canonical = new net.SocketAddress({ address: host, family: 'ipv6' }).address;
  const [head, tail = ''] = canonical.includes('::') ? canonical.split('::') : [canonical, ''];
  const words = (s: string) => (s ? s.split(':') : []).flatMap((w) => {
    if (!w.includes('.')) return [parseInt(w, 16)];
    const [a, b, c, d] = w.split('.').map(Number);
    return [(a! << 8) | b!, (c! << 8) | d!];
  });
  const h = words(head!);
  const t = words(tail);
  const all = canonical.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}
