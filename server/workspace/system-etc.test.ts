// The sandbox's /etc: what of the host's it copies, and that it is a new copy only when that changed.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishSystemEtc } from './system-etc.ts';

let dir: string;
let etc: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-system-etc-'));
  etc = path.join(dir, 'host-etc');
  await fs.mkdir(path.join(etc, 'ssl', 'certs'), { recursive: true });
  await fs.mkdir(path.join(etc, 'ssl', 'private'), { mode: 0o700 });
  await fs.chmod(path.join(etc, 'ssl', 'private'), 0o700);
  await fs.writeFile(path.join(etc, 'ssl', 'private', 'server.key'), 'KEY', { mode: 0o600 });
  await fs.writeFile(path.join(etc, 'ssl', 'certs', 'ca-certificates.crt'), 'CERTS', { mode: 0o644 });
  await fs.symlink('/usr/share/ca-certificates/mozilla/A.crt', path.join(etc, 'ssl', 'certs', 'A.pem'));
  await fs.mkdir(path.join(etc, 'alternatives'));
  await fs.symlink('/usr/bin/mawk', path.join(etc, 'alternatives', 'awk'));
  await fs.writeFile(path.join(etc, 'ld.so.cache'), 'CACHE', { mode: 0o644 });
  await fs.writeFile(path.join(etc, 'hosts'), '127.0.0.1 localhost\n', { mode: 0o644 });
  await fs.writeFile(path.join(etc, 'shadow'), 'root:secret', { mode: 0o640 });
  await fs.writeFile(path.join(etc, 'passwd'), 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n', { mode: 0o644 });
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function tree(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await fs.readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...await tree(root, child));
    else out.push(e.isSymbolicLink() ? `${child} -> ${await fs.readlink(path.join(root, child))}` : child);
  }
  return out;
}

describe('publishSystemEtc', () => {
  it('copies what any user may read of the listed entries, links as links, and empty passwd and group', async () => {
    const copy = await publishSystemEtc(path.join(dir, 'data'), etc);
    expect(await tree(copy)).toEqual([
      'alternatives/awk -> /usr/bin/mawk', 'group', 'hosts', 'ld.so.cache', 'passwd',
      'ssl/certs/A.pem -> /usr/share/ca-certificates/mozilla/A.crt', 'ssl/certs/ca-certificates.crt',
    ]);
    // The host's own users never reach a sandbox: the workspace's passwd is bound over the placeholder.
    expect(await fs.readFile(path.join(copy, 'passwd'), 'utf8')).toBe('');
    expect(await fs.readFile(path.join(copy, 'ssl/certs/ca-certificates.crt'), 'utf8')).toBe('CERTS');
    expect((await fs.stat(copy)).mode & 0o777).toBe(0o755);
  });

  it('reuses the copy while the host files are unchanged, and makes a new one when they change', async () => {
    const data = path.join(dir, 'data');
    const first = await publishSystemEtc(data, etc);
    expect(await publishSystemEtc(data, etc)).toBe(first);
    await fs.writeFile(path.join(etc, 'ssl', 'certs', 'ca-certificates.crt'), 'CERTS and a company CA');
    const second = await publishSystemEtc(data, etc);
    expect(second).not.toBe(first);
    // A sandbox started before keeps its copy: nothing under it changed.
    expect(await fs.readFile(path.join(first, 'ssl/certs/ca-certificates.crt'), 'utf8')).toBe('CERTS');
    await fs.rm(path.join(etc, 'alternatives', 'awk'));
    await fs.symlink('/usr/bin/gawk', path.join(etc, 'alternatives', 'awk'));
    expect(await publishSystemEtc(data, etc)).not.toBe(second);
  });
});
