// Typed failures of the file service. `code` is stable for callers (API → HTTP status, agent →
// a message the model can act on); `message` is meant for people.
export type FileErrorCode =
  | 'INVALID_PATH' // malformed: NUL, encoded separators, absolute, `..`
  | 'OUTSIDE_WORKSPACE' // resolves (through a symlink) outside the workspace root
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'NOT_A_DIRECTORY'
  | 'IS_A_DIRECTORY'
  | 'CONFLICT' // changed on disk since the caller read it
  | 'TOO_LARGE'
  | 'NO_SPACE'; // the workspace's disk quota is used up

export class FileError extends Error {
  override name = 'FileError';
  constructor(readonly code: FileErrorCode, message: string, readonly path: string) {
    super(message);
  }
}

/** Maps the errno of a failed fs call to a FileError where there is a meaningful one. */
export function fromErrno(e: unknown, rel: string): unknown {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT': return new FileError('NOT_FOUND', `No such file or directory: ${rel}`, rel);
    case 'EEXIST': case 'ENOTEMPTY': return new FileError('ALREADY_EXISTS', `Already exists: ${rel}`, rel);
    case 'ENOTDIR': return new FileError('NOT_A_DIRECTORY', `Not a directory: ${rel}`, rel);
    case 'EISDIR': return new FileError('IS_A_DIRECTORY', `Is a directory: ${rel}`, rel);
    // O_NOFOLLOW met a symlink where none may be followed.
    case 'ELOOP': return new FileError('OUTSIDE_WORKSPACE', `Refusing to follow a symbolic link: ${rel}`, rel);
    case 'ENOSPC': case 'EDQUOT':
      return new FileError('NO_SPACE', `No space left for ${rel}: this workspace's disk quota is used up. Delete files in the workspace to free space.`, rel);
    default: return e;
  }
}
