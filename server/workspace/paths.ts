// Syntax rules for a caller's path into a workspace: no NUL, no URL-encoded dots/separators,
// not absolute, no `..` — refused outright even when the result would stay inside, so the rule
// is simple to state. This is the server's first line; where symlinks lead is decided by the
// workspace host (host/program.mjs), inside the sandbox, where a race cannot reach the host's
// files (see files.ts).
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
