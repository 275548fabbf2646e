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
  | 'PERMISSION_DENIED' // the workspace user may not (the file API acts as that user)
  | 'NO_SPACE'; // the workspace's disk is full

export class FileError extends Error {
  override name = 'FileError';
  constructor(readonly code: FileErrorCode, message: string, readonly path: string) {
    super(message);
  }
}
