// Every procedure about one session authorizes the same way: the caller must be allowed to see the
// session, and changes are refused once it is stopped.
import { TRPCError } from '@trpc/server';
import { toApiError } from './errors.ts';
import type { Context } from './trpc.ts';

type Principal = NonNullable<Context['principal']>;

export async function authorizeSession(ctx: Context & { principal: Principal }, sessionId: string, write: boolean) {
  const session = await ctx.sessions.get(ctx.principal, sessionId).catch(toApiError);
  if (write && session.status === 'stopped') throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'The session is stopped.' });
  return session;
}
