// Turns a caller's path into a path inside one workspace, or refuses it. Two layers:
// 1. syntax (`checkRelative`): no NUL, no URL-encoded dots/separators, not absolute, no `..` —
//    refused outright even when the result would stay inside, so the rule is simple to state;
// 2. symlinks (`containedParent`, `containedTarget`, `assertFdInside`): the real path of what
//    is touched must stay under the root's real path.
// TOCTOU: a process in the sandbox can swap a directory for a symlink between a check and the
// use. Reads and writes therefore re-check the descriptor they actually opened
// (/proc/self/fd) before using it; mkdir/rename/delete check the parent just before acting and
// keep a small window, which is why they never follow a final symlink.
import fs from 'node:fs/promises';
import path from 'node:path';
import { FileError } from './file-errors.ts';

/** Encoded `.`, `/`, `\`, NUL and `%` itself (double encoding). */
const ENCODED_ESCAPE = /%(2e|2f|5c|00|25)/i;

/** Normalised relative path ('' is the root) or a FileError. */
export function checkRelative(input: string): string {
  if (typeof input !== 'string') throw new FileError('INVALID_PATH', 'Path must be a string', String(input));
  if (input.includes('\0')) throw new FileError('INVALID_PATH', 'Path contains a NUL byte', input.replace(/\0/g, '\\0'));
  if (ENCODED_ESCAPE.test(input)) throw new FileError('INVALID_PATH', `Path contains a URL-encoded escape: ${input}`, input);
  if (input.includes('\\')) throw new FileError('INVALID_PATH', `Path contains a backslash: ${input}`, input);
  if (input.startsWith('/')) throw new FileError('INVALID_PATH', `Absolute paths are not allowed; use a path relative to the workspace: ${input}`, input);
  const parts = input.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new FileError('INVALID_PATH', `Path may not contain "..": ${input}`, input);
  return parts.join('/');
}

export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + path.sep);
}

export class WorkspacePaths {
  private realRoot: string | null = null;

  constructor(readonly root: string) {}

  async rootReal(): Promise<string> {
    this.realRoot ??= await fs.realpath(this.root);
    return this.realRoot;
  }

  /** Absolute host path for a checked relative path (no symlink check). */
  abs(rel: string): string {
    return path.join(this.root, rel);
  }

  /** Real path of the nearest existing ancestor of `abs`, which must be inside the root. */
  private async assertAncestorInside(abs: string, rel: string): Promise<void> {
    const root = await this.rootReal();
    let probe = abs;
    for (;;) {
      try {
        const real = await fs.realpath(probe);
        if (!isInside(root, real)) throw new FileError('OUTSIDE_WORKSPACE', `Path leads outside the workspace: ${rel}`, rel);
        return;
      } catch (e) {
        if (e instanceof FileError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
        const up = path.dirname(probe);
        if (up === probe) throw e;
        probe = up;
      }
    }
  }

  /** For operations on the entry itself (delete, rename, lstat, create): only its parent is followed. */
  async containedParent(input: string): Promise<{ rel: string; abs: string }> {
    const rel = checkRelative(input);
    const abs = this.abs(rel);
    await this.assertAncestorInside(rel === '' ? abs : path.dirname(abs), rel);
    return { rel, abs };
  }

  /** For operations that follow the entry (read, write, list): the real target must be inside. */
  async containedTarget(input: string): Promise<{ rel: string; abs: string }> {
    const rel = checkRelative(input);
    const abs = this.abs(rel);
    await this.assertAncestorInside(abs, rel);
    return { rel, abs };
  }

  /** What a descriptor really points at, checked after open: closes the check-then-open race. */
  async assertFdInside(fd: number, rel: string): Promise<void> {
    const real = await fs.readlink(`/proc/self/fd/${fd}`);
    if (!isInside(await this.rootReal(), real)) {
      throw new FileError('OUTSIDE_WORKSPACE', `Path leads outside the workspace: ${rel}`, rel);
    }
  }
}
