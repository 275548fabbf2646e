// Who may clone a repository that is a path on the server. Admins may clone any; members only
// under the directories an operator configured (TETHER_GIT_LOCAL_ROOTS). Every refusal — outside
// the roots, missing, a symlink leading out — answers with the same words, so the answer never
// tells which host directories exist. Checked before any row or sandbox exists.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Role } from '../auth/roles.ts';
import type { WorkspaceSource } from '../workspace/provider.ts';

export class CloneSourceError extends Error {
  override name = 'CloneSourceError';
  constructor(url: string) {
    super(`Cannot clone ${url}: it is not a repository on this server that you may clone. Server-local repositories can be cloned by admins, and by members only from the directories an admin configured (TETHER_GIT_LOCAL_ROOTS).`);
  }
}

const isUnder = (p: string, root: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** The source to provision (a local path resolved to where it really is), or CloneSourceError. */
export async function resolveCloneSource(source: WorkspaceSource, o: { role: Role; localRoots: string[] }): Promise<WorkspaceSource> {
  if (source.kind !== 'git' || !source.url.startsWith('/')) return source;
  const requested = path.resolve(source.url);
  // Members' paths outside every root are refused without touching the filesystem.
  if (o.role !== 'admin' && !o.localRoots.some((r) => isUnder(requested, path.resolve(r)))) throw new CloneSourceError(source.url);
  const real = await fs.realpath(requested).catch(() => null);
  if (!real || !(await fs.stat(real).catch(() => null))?.isDirectory()) throw new CloneSourceError(source.url);
  if (o.role !== 'admin') {
    const roots = await Promise.all(o.localRoots.map((r) => fs.realpath(r).catch(() => null)));
    if (!roots.some((r) => r !== null && isUnder(real, r))) throw new CloneSourceError(source.url);
  }
  return { kind: 'git', url: real };
}
