// Paths the model gives are relative to the workspace root (or absolute under /workspace, as
// the sandbox shows it). Anything that would leave the workspace is refused here, before the
// file service's own check, with a message the model can act on.
import path from 'node:path';

const SANDBOX_ROOT = '/workspace';

export class PathError extends Error {}

/** Normalised relative path ('.' for the root). */
export function workspacePath(input: string): string {
  const p = input.trim();
  if (!p) throw new PathError('path is empty');
  if (p.includes('\0')) throw new PathError('path contains a NUL byte');
  let rel: string;
  if (path.posix.isAbsolute(p)) {
    const fromRoot = path.posix.relative(SANDBOX_ROOT, path.posix.normalize(p));
    if (fromRoot.startsWith('..') || path.posix.isAbsolute(fromRoot)) {
      throw new PathError(`${input} is outside the workspace; use a path relative to the workspace root`);
    }
    rel = fromRoot || '.';
  } else {
    rel = path.posix.normalize(p);
  }
  if (rel === '..' || rel.startsWith('../')) throw new PathError(`${input} is outside the workspace; use a path relative to the workspace root`);
  return rel.replace(/\/+$/, '') || '.';
}
