import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { profileNameSchema } from '../../agent/profiles/spec.ts';
import type { AgentResult } from '../../agent/service.ts';
import { askAnAdmin } from '../../models/not-configured.ts';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { authorizeSession as authorize } from '../session-access.ts';
import { memberProcedure, router } from '../trpc.ts';

const inSession = z.object({ sessionId: sessionIdSchema });
const id = z.string().min(1).max(100);

/** The agent answers with values; refusals become API errors in the same words. */
function unwrap<T extends object>(r: AgentResult<T>): T {
  if (!r.ok) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: r.error });
  return r;
}

export const agentRouter = router({
  status: memberProcedure.input(inSession).query(async ({ ctx, input }) => {
    await authorize(ctx, input.sessionId, 'read');
    const status = await ctx.agent.status(input.sessionId);
    // The how-to names the server's environment: for admins only (models.configured says the same).
    return ctx.principal.role === 'admin' ? status : { ...status, model: { ...status.model, howTo: status.model.configured ? null : askAnAdmin } };
  }),

  checkpoints: memberProcedure.input(inSession).query(async ({ ctx, input }) => {
    await authorize(ctx, input.sessionId, 'read');
    return ctx.agent.checkpoints(input.sessionId);
  }),

  send: memberProcedure.input(inSession.extend({
    text: z.string().trim().min(1, 'Write a message first').max(20_000, 'Message too long (20,000 characters at most)'),
    /** The task profile for this run (default: build). */
    profile: profileNameSchema.optional(),
  }))
    .mutation(async ({ ctx, input }) => {
      await authorize(ctx, input.sessionId, 'write');
      return unwrap(await ctx.agent.send({ sessionId: input.sessionId, userId: ctx.principal.user.id, teamId: ctx.principal.teamId, text: input.text, profile: input.profile }));
    }),

  stop: memberProcedure.input(inSession).mutation(async ({ ctx, input }) => {
    // Stopping the agent of a stopped session is harmless, so it is not refused for that.
    await authorize(ctx, input.sessionId, 'write', false);
    return unwrap(await ctx.agent.stop(input.sessionId));
  }),

  resume: memberProcedure.input(inSession.extend({ runId: id })).mutation(async ({ ctx, input }) => {
    await authorize(ctx, input.sessionId, 'write');
    return unwrap(await ctx.agent.resume(input.sessionId, input.runId));
  }),

  rewind: memberProcedure.input(inSession.extend({ checkpointId: id })).mutation(async ({ ctx, input }) => {
    await authorize(ctx, input.sessionId, 'write');
    return unwrap(await ctx.agent.rewind(input.sessionId, input.checkpointId, ctx.principal.user.id));
  }),
});
