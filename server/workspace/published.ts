// Read-only copies of files the server ships to sandboxes (the workspace host's runtime, the
// templates, the sandbox's /etc), in root-owned directories every workspace uid can read: the
// repository itself may sit under a 0700 home, and bwrap binds what the workspace uid can reach.
// Each copy is named by a digest of its contents, so an upgraded server never changes files under
// a running sandbox.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Copies `files` ([source path, relative destination]) to `<root>/<kind>/<digest>/` (0755, files
 * 0644) unless that copy exists already; returns its path. A source that is a symlink is published
 * as the same symlink (its target verbatim), so links into /usr resolve inside a sandbox.
 */
export async function publishReadOnly(root: string, kind: string, files: [string, string][]): Promise<string> {
  const contents = await Promise.all(files.map(async ([from]) => {
    const st = await fs.lstat(from);
    return st.isSymbolicLink() ? { link: await fs.readlink(from) } : { data: await fs.readFile(from) };
  }));
  const digest = createHash('sha256');
  files.forEach(([, to], i) => {
    const c = contents[i]!;
    // A link's digest differs from a file holding its target's name.
    if (c.link !== undefined) digest.update(to).update('\0symlink\0').update(c.link);
    else digest.update(to).update(c.data);
  });
  const base = path.join(root, kind);
  const dir = path.join(base, digest.digest('hex').slice(0, 16));
  await fs.mkdir(base, { recursive: true, mode: 0o755 });
  await fs.chmod(base, 0o755);
  if (await fs.stat(dir).then(() => true, () => false)) return dir;
  const temp = `${dir}.${process.pid}.tmp`;
  await fs.rm(temp, { recursive: true, force: true });
  await fs.mkdir(temp, { mode: 0o755 });
  for (const sub of new Set(files.map(([, to]) => path.dirname(to)))) await fs.mkdir(path.join(temp, sub), { recursive: true, mode: 0o755 });
  await Promise.all(files.map(([, to], i) => {
    const c = contents[i]!;
    return c.link !== undefined ? fs.symlink(c.link, path.join(temp, to)) : fs.writeFile(path.join(temp, to), c.data, { mode: 0o644 });
  }));
  await fs.rename(temp, dir).catch(async (e: NodeJS.ErrnoException) => {
    // Another server process made the same directory first: its copy is identical.
    await fs.rm(temp, { recursive: true, force: true });
    if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
  });
  return dir;
}

/** Every regular file under `dir`, as [absolute path, path relative to dir]. */
export async function filesUnder(dir: string, rel = ''): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...await filesUnder(dir, child));
    else if (e.isFile()) out.push([path.join(dir, child), child]);
  }
  return out;
}
