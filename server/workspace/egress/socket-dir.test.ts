// Where the proxies' sockets live must be the same for every server process on a storage root:
// a workspace host that outlives the server binds a directory under it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { egressSocketDir } from './proxies.ts';

const made: string[] = [];
afterEach(async () => {
  for (const d of made.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

/** A storage root whose `egress/<digest>/e.sock` would not fit in a socket address. */
function longRoot(): string {
  const root = path.join(os.tmpdir(), `tether-long-${randomUUID()}`, 'x'.repeat(60));
  made.push(path.dirname(root));
  return root;
}

it('uses <root>/egress when a socket path under it fits', async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-sd-'));
  made.push(base);
  const dir = await egressSocketDir(base);
  expect(dir).toBe(path.join(base, 'egress'));
  expect((await fs.stat(dir)).mode & 0o777).toBe(0o711);
});

it('falls back to one temp directory per storage root, the same on every start', async () => {
  const root = longRoot();
  const first = await egressSocketDir(root);
  made.push(first);
  expect(first.startsWith(os.tmpdir())).toBe(true);
  expect(path.join(first, '0123456789abcdef', 'e.sock').length).toBeLessThanOrEqual(107);
  expect(await egressSocketDir(root)).toBe(first);
  expect(await egressSocketDir(longRoot())).not.toBe(first);
  const st = await fs.stat(first);
  expect([st.mode & 0o777, st.uid]).toEqual([0o711, process.getuid!()]);
});

it('refuses a fallback directory someone else could have made or can write', async () => {
  const root = longRoot();
  const dir = await egressSocketDir(root);
  made.push(dir);
  await fs.chmod(dir, 0o777);
  await expect(egressSocketDir(root)).rejects.toThrow(/not a private directory/);
  await fs.rm(dir, { recursive: true });
  await fs.symlink(os.tmpdir(), dir);
  await expect(egressSocketDir(root)).rejects.toThrow(/not a private directory/);
  await fs.rm(dir);
  if (process.getuid!() === 0) {
    await fs.mkdir(dir, { mode: 0o711 });
    await fs.chown(dir, 65534, 65534);
    await expect(egressSocketDir(root)).rejects.toThrow(/not a private directory/);
  }
});
