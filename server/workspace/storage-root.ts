// Where workspaces live on the host. bwrap starts as the workspace uid, so that uid must be able
// to traverse every directory above what it binds (the workspace, its passwd/group, its
// checkpoint repository). The database stays in the data dir; the workspaces go there too when
// the data dir's ancestors are traversable, and otherwise (a clone under /root, mode 0700) to a
// directory of the server's own under /var/lib/tether, one per data dir.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const FALLBACK_STORAGE_PARENT = '/var/lib/tether';

export class StorageRootError extends Error {
  override name = 'StorageRootError';
}

/** The first directory above `dir` other users cannot traverse, or null when every one can. */
export async function firstUntraversableAncestor(dir: string): Promise<string | null> {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const st = await fs.stat(d).catch(() => null);
    if (st && (st.mode & 0o001) === 0) return d;
    if (d === path.dirname(d)) return null;
  }
}

/** Stable per data dir, so a restart finds the same workspaces. */
export function fallbackStorageRoot(dataDir: string, parent = FALLBACK_STORAGE_PARENT): string {
  return path.join(parent, createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16));
}

export interface StorageRoot {
  dir: string;
  /** Why this directory, for the start-up log. */
  reason: string;
}

export async function chooseStorageRoot(o: {
  dataDir: string; configured?: string; confined: boolean; fallbackParent?: string;
}): Promise<StorageRoot> {
  const dataDir = path.resolve(o.dataDir);
  // Unconfined processes run as the server user: nothing needs to traverse anything.
  if (!o.confined) return { dir: dataDir, reason: 'unconfined: workspaces in the data dir' };
  if (o.configured) {
    const dir = path.resolve(o.configured);
    const blocked = await firstUntraversableAncestor(dir);
    if (blocked) {
      throw new StorageRootError(`TETHER_WORKSPACES_DIR=${dir} is under ${blocked}, which other users cannot traverse, so workspace sandboxes could not reach it. Choose a directory under a world-traversable path (for example ${FALLBACK_STORAGE_PARENT}) or chmod o+x ${blocked}.`);
    }
    return { dir, reason: 'TETHER_WORKSPACES_DIR' };
  }
  const blocked = await firstUntraversableAncestor(dataDir);
  if (!blocked) return { dir: dataDir, reason: 'the data dir is reachable by workspace users' };
  const parent = path.resolve(o.fallbackParent ?? FALLBACK_STORAGE_PARENT);
  const parentBlocked = await firstUntraversableAncestor(parent);
  if (parentBlocked) {
    throw new StorageRootError(`The data dir ${dataDir} is under ${blocked} and ${parent} is under ${parentBlocked}; neither is traversable by other users, so workspace sandboxes could not reach their files. Set TETHER_WORKSPACES_DIR to a directory under a world-traversable path.`);
  }
  await fs.mkdir(parent, { recursive: true, mode: 0o711 });
  await fs.chmod(parent, 0o711);
  const dir = fallbackStorageRoot(dataDir, parent);
  await fs.mkdir(dir, { recursive: true, mode: 0o711 });
  // Says whose this is, for an operator looking at /var/lib/tether.
  await fs.writeFile(path.join(dir, 'data-dir'), `${dataDir}\n`, { mode: 0o600 });
  return { dir, reason: `${blocked} is not traversable by other users, so workspaces live outside the data dir` };
}
