// Every procedure about one session authorizes the same way: the caller's role in the session
// must cover what the call needs (server/sessions/access.ts), and changes are refused once it is
// stopped — unless the change is one that makes sense on a stopped session (stopping the agent).
import { TRPCError } from '@trpc/server';
import type { SessionNeed } from '../sessions/access.ts';
import { toApiError } from './errors.ts';
import type { Context } from './trpc.ts';

type Principal = NonNullable<Context['principal']>;

export async function authorizeSession(ctx: Context & { principal: Principal }, sessionId: string, need: SessionNeed, refuseStopped = need !== 'read') {
  const session = await ctx.sessions.get(ctx.principal, sessionId, need).catch(toApiError);
  if (refuseStopped && session.status === 'stopped') throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'The session is stopped.' });
  return session;
}
