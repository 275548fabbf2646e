// AES-256-GCM with a fresh 12-byte IV per value. The associated data binds a ciphertext to its
// workspace and name, so a row copied to another workspace or renamed no longer decrypts.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Stored as "v1:" + base64(iv | tag | ciphertext), so a later scheme can sit beside this one. */
const VERSION = 'v1';

export function encryptSecret(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
}

/** Throws when the key is wrong or the value was altered or moved. */
export function decryptSecret(key: Buffer, stored: string, aad: string): string {
  const [version, body] = stored.split(':', 2);
  if (version !== VERSION || !body) throw new Error(`unknown secret format ${JSON.stringify(version)}`);
  const raw = Buffer.from(body, 'base64');
  const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
