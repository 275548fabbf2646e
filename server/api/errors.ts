import { TRPCError } from '@trpc/server';
import { AccountError } from '../auth/accounts.ts';
import { SessionAccessError } from '../sessions/access.ts';

const accountCodes = { SETUP_CLOSED: 'FORBIDDEN', EMAIL_TAKEN: 'CONFLICT', NOT_FOUND: 'NOT_FOUND', LAST_ADMIN: 'PRECONDITION_FAILED', SELF: 'BAD_REQUEST' } as const;

/** Domain errors become API errors with the same words; anything else stays an internal error. */
export function toApiError(err: unknown): never {
  if (err instanceof AccountError) throw new TRPCError({ code: accountCodes[err.code], message: err.message });
  if (err instanceof SessionAccessError) throw new TRPCError({ code: 'NOT_FOUND', message: err.message });
  throw err;
}
