import { z } from 'zod';
import { listEvents } from '../../sessions/events.ts';
import { createSessionInput, eventsAfterInput, sessionIdSchema } from '../../sessions/schemas.ts';
import { toApiError } from '../errors.ts';
import { adminProcedure, memberProcedure, router } from '../trpc.ts';

const byId = z.object({ id: sessionIdSchema });

export const sessionsRouter = router({
  list: memberProcedure.query(({ ctx }) => ctx.sessions.list(ctx.principal)),

  create: memberProcedure.input(createSessionInput).mutation(async ({ ctx, input }) => {
    const s = await ctx.sessions.create(ctx.principal, input).catch(toApiError);
    return { id: s.id };
  }),

  get: memberProcedure.input(byId).query(async ({ ctx, input }) => {
    const session = await ctx.sessions.get(ctx.principal, input.id).catch(toApiError);
    const { confined } = ctx.workspaces.capabilities;
    return { ...session, sandbox: { confined } };
  }),

  /** Network access for the workspace's processes: off unless an admin allows it. */
  setNetwork: adminProcedure.input(byId.extend({ allowed: z.boolean() })).mutation(async ({ ctx, input }) => {
    await ctx.sessions.setNetwork(ctx.principal, input.id, input.allowed).catch(toApiError);
    return { allowed: input.allowed };
  }),

  stop: memberProcedure.input(byId).mutation(async ({ ctx, input }) => {
    const s = await ctx.sessions.stop(ctx.principal, input.id).catch(toApiError);
    return { id: s.id, status: s.status };
  }),

  /** The same events the live socket delivers, for pages that poll or replay. */
  events: memberProcedure.input(eventsAfterInput).query(async ({ ctx, input }) => {
    await ctx.sessions.get(ctx.principal, input.sessionId).catch(toApiError);
    return listEvents(ctx.db, input.sessionId, input.afterSeq, input.limit);
  }),
});
