// The key secrets are encrypted under: TETHER_SECRET_KEY when set, otherwise a random key kept
// in the data dir (mode 0600, created once). Losing the key loses the secrets; that is the point.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const KEY_BYTES = 32;
export const KEY_FILE = 'secret.key';

export class SecretKeyError extends Error {}

/** 32 bytes as base64 or hex. */
export function parseSecretKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== KEY_BYTES) throw new SecretKeyError(`the secret key must be ${KEY_BYTES} bytes, as base64 or hex (got ${key.length} bytes)`);
  return key;
}

export function loadSecretKey(o: { configured?: string; dataDir: string }): Buffer {
  if (o.configured) return parseSecretKey(o.configured);
  const file = path.join(o.dataDir, KEY_FILE);
  try {
    const mode = statSync(file).mode & 0o777;
    // Someone loosened it: tighten rather than refuse, the key itself is still ours.
    if (mode !== 0o600) chmodSync(file, 0o600);
    return parseSecretKey(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(o.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  // wx: two processes starting at once must not each write a different key.
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseSecretKey(readFileSync(file, 'utf8'));
    throw err;
  }
  return key;
}
