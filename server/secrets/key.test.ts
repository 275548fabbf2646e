import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from './cipher.ts';
import { KEY_FILE, loadSecretKey } from './key.ts';

const dirs: string[] = [];
const tempDir = () => { const d = mkdtempSync(path.join(tmpdir(), 'tether-key-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('the secret key', () => {
  it('is generated once into the data dir with mode 0600, and read back the same', () => {
    const dataDir = tempDir();
    const first = loadSecretKey({ dataDir });
    expect(first).toHaveLength(32);
    expect(statSync(path.join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ dataDir }).equals(first)).toBe(true);
    chmodSync(path.join(dataDir, KEY_FILE), 0o644);
    loadSecretKey({ dataDir });
    expect(statSync(path.join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('comes from TETHER_SECRET_KEY when set (base64 or hex), and then no file is written', () => {
    const dataDir = tempDir();
    const raw = randomBytes(32);
    expect(loadSecretKey({ configured: raw.toString('base64'), dataDir }).equals(raw)).toBe(true);
    expect(loadSecretKey({ configured: raw.toString('hex'), dataDir }).equals(raw)).toBe(true);
    expect(() => readFileSync(path.join(dataDir, KEY_FILE))).toThrow(/ENOENT/);
    expect(() => loadSecretKey({ configured: 'dG9vIHNob3J0', dataDir })).toThrow(/32 bytes/);
  });

  it('decrypts only with the same key and the same workspace and name', () => {
    const key = randomBytes(32);
    const stored = encryptSecret(key, 'value-1234', 'ws\0name');
    expect(stored).not.toContain('value-1234');
    expect(encryptSecret(key, 'value-1234', 'ws\0name')).not.toBe(stored);
    expect(decryptSecret(key, stored, 'ws\0name')).toBe('value-1234');
    expect(() => decryptSecret(randomBytes(32), stored, 'ws\0name')).toThrow();
    expect(() => decryptSecret(key, stored, 'other\0name')).toThrow();
  });
});
