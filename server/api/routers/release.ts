// The IDE's "Release check": the same sandboxed scan as the agent's release_check tool, run for
// a person, recorded in the session so a later publishing approval shows it.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { releaseDirSchema, runReleaseCheck } from '../../release/check.ts';
import { releaseCheckedEvent } from '../../release/record.ts';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { toApiError } from '../errors.ts';
import { memberProcedure, router } from '../trpc.ts';

export const releaseRouter = router({
  check: memberProcedure.input(z.object({ sessionId: sessionIdSchema, dir: releaseDirSchema })).mutation(async ({ ctx, input }) => {
    const { session, workspace } = await ctx.sessions.workspace(ctx.principal, input.sessionId).catch(toApiError);
    if (session.status === 'stopped') throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'The session is stopped.' });
    const report = await runReleaseCheck(workspace, { dir: input.dir, internalHosts: ctx.config.TETHER_RELEASE_INTERNAL_HOSTS }).catch(toApiError);
    await ctx.events.append(input.sessionId, releaseCheckedEvent(input.dir, report), { kind: 'user', id: ctx.principal.user.id });
    return report;
  }),
});
