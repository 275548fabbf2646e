import { TRPCError } from '@trpc/server';
import { RuleStoreError } from '../agent/policy/rules-store.ts';
import { MemoryItemNotFoundError, MemoryNotInWorkspaceError } from '../agent/context/memory.ts';
import { AccountError } from '../auth/accounts.ts';
import { ReleaseCheckError } from '../release/check.ts';
import { GitError } from '../git/run.ts';
import { SecretError } from '../secrets/store.ts';
import { SessionAccessError, SessionRoleError } from '../sessions/access.ts';
import { MemberError } from '../sessions/members.ts';
import { CloneSourceError } from '../sessions/clone-sources.ts';
import { SessionStateError } from '../sessions/service.ts';
import { WorkspaceUnavailableError } from '../sessions/workspaces.ts';
import { FileError, type FileErrorCode } from '../workspace/file-errors.ts';
import { WorkspaceHostError } from '../workspace/host/workspace-host.ts';

const accountCodes = {
  SETUP_CLOSED: 'FORBIDDEN', EMAIL_TAKEN: 'CONFLICT', NOT_FOUND: 'NOT_FOUND', LAST_ADMIN: 'PRECONDITION_FAILED', SELF: 'BAD_REQUEST',
  DISABLED: 'PRECONDITION_FAILED', WRONG_PASSWORD: 'BAD_REQUEST', SAME_PASSWORD: 'BAD_REQUEST', RESET_INVALID: 'BAD_REQUEST',
} as const;
const ruleCodes = { NOT_FOUND: 'NOT_FOUND', BAD_ORDER: 'CONFLICT', INVALID: 'BAD_REQUEST' } as const;
const gitCodes = { NOT_A_REPOSITORY: 'PRECONDITION_FAILED', INVALID: 'BAD_REQUEST', FAILED: 'CONFLICT' } as const;
const secretCodes = { NOT_FOUND: 'NOT_FOUND', EXISTS: 'CONFLICT', ENV_TAKEN: 'CONFLICT' } as const;
const fileCodes: Record<FileErrorCode, TRPCError['code']> = {
  INVALID_PATH: 'BAD_REQUEST', OUTSIDE_WORKSPACE: 'FORBIDDEN', NOT_FOUND: 'NOT_FOUND', ALREADY_EXISTS: 'CONFLICT',
  NOT_A_DIRECTORY: 'BAD_REQUEST', IS_A_DIRECTORY: 'BAD_REQUEST', CONFLICT: 'CONFLICT', TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  PERMISSION_DENIED: 'FORBIDDEN', NO_SPACE: 'PAYLOAD_TOO_LARGE',
};

/** Domain errors become API errors with the same words; anything else stays an internal error. */
export function toApiError(err: unknown): never {
  if (err instanceof AccountError) throw new TRPCError({ code: accountCodes[err.code], message: err.message });
  if (err instanceof SessionAccessError) throw new TRPCError({ code: 'NOT_FOUND', message: err.message });
  if (err instanceof SessionRoleError) throw new TRPCError({ code: 'FORBIDDEN', message: err.message });
  if (err instanceof MemberError) throw new TRPCError({ code: err.code, message: err.message });
  if (err instanceof SessionStateError) throw new TRPCError({ code: 'CONFLICT', message: err.message });
  if (err instanceof WorkspaceUnavailableError) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: err.message });
  if (err instanceof CloneSourceError) throw new TRPCError({ code: 'FORBIDDEN', message: err.message });
  if (err instanceof RuleStoreError) throw new TRPCError({ code: ruleCodes[err.code], message: err.message });
  if (err instanceof MemoryItemNotFoundError) throw new TRPCError({ code: 'NOT_FOUND', message: err.message });
  if (err instanceof MemoryNotInWorkspaceError) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: err.message });
  if (err instanceof ReleaseCheckError) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: err.message });
  if (err instanceof SecretError) throw new TRPCError({ code: secretCodes[err.code], message: err.message });
  if (err instanceof FileError) throw new TRPCError({ code: fileCodes[err.code], message: err.message });
  if (err instanceof GitError) throw new TRPCError({ code: gitCodes[err.code], message: err.message });
  if (err instanceof WorkspaceHostError) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: err.message });
  throw err;
}
