// The two sides of one file's diff, for Monaco's diff editor: staged changes compare HEAD with the
// index, unstaged ones the index with the work tree (an untracked file compares nothing with it).
import { DEFAULT_MAX_READ_BYTES, type FileService } from '../workspace/files.ts';
import { FileError } from '../workspace/file-errors.ts';
import { runGit, type GitWorkspace } from './run.ts';

/** A NUL in this many leading characters marks content as binary (git's own heuristic). */
const BINARY_SNIFF_CHARS = 8000;

export type Side = { kind: 'text'; content: string } | { kind: 'absent' } | { kind: 'binary' } | { kind: 'too-large' };

export interface FileVersions { path: string; original: Side; modified: Side }

export interface VersionsWorkspace extends GitWorkspace {
  files: Pick<FileService, 'read'>;
}

const sideOf = (text: string): Side => (text.slice(0, BINARY_SNIFF_CHARS).includes('\0') ? { kind: 'binary' } : { kind: 'text', content: text });

/** A blob by revision (`HEAD:path`, `:path` for the index); absent when it is not there. */
async function blob(ws: GitWorkspace, spec: string): Promise<Side> {
  const r = await runGit(ws, ['cat-file', 'blob', spec], { maxOutputBytes: DEFAULT_MAX_READ_BYTES });
  if (r.exitCode !== 0) return { kind: 'absent' };
  if (r.truncated) return { kind: 'too-large' };
  return sideOf(r.stdout);
}

async function workTree(files: Pick<FileService, 'read'>, path: string): Promise<Side> {
  try {
    const r = await files.read(path);
    return r.kind === 'text' ? { kind: 'text', content: r.content } : { kind: r.kind };
  } catch (err) {
    if (err instanceof FileError && err.code === 'NOT_FOUND') return { kind: 'absent' };
    throw err;
  }
}

/** `path` has passed the file API's syntax check; it is the path git reported, relative to the root. */
export async function fileVersions(ws: VersionsWorkspace, path: string, staged: boolean): Promise<FileVersions> {
  if (staged) {
    const [original, modified] = await Promise.all([blob(ws, `HEAD:${path}`), blob(ws, `:${path}`)]);
    return { path, original, modified };
  }
  const [index, head, modified] = await Promise.all([blob(ws, `:${path}`), blob(ws, `HEAD:${path}`), workTree(ws.files, path)]);
  // Not in the index: untracked (nothing to compare with) or removed from it (compare with HEAD).
  return { path, original: index.kind === 'absent' ? head : index, modified };
}
