import { z } from 'zod';
import { listEvents } from '../../sessions/events.ts';
import { listSessionsInput } from '../../sessions/listing.ts';
import { createSessionInput, eventsAfterInput, sessionIdSchema, sessionTitleSchema } from '../../sessions/schemas.ts';
import { toApiError } from '../errors.ts';
import { adminProcedure, memberProcedure, router } from '../trpc.ts';

const byId = z.object({ id: sessionIdSchema });

export const sessionsRouter = router({
  /** Admins get their team's sessions, members their own and those they were added to (with their role). */
  list: memberProcedure.input(listSessionsInput).query(({ ctx, input }) => ctx.sessions.list(ctx.principal, input)),

  create: memberProcedure.input(createSessionInput).mutation(async ({ ctx, input }) => {
    const s = await ctx.sessions.create(ctx.principal, input).catch(toApiError);
    return { id: s.id };
  }),

  /** The session, with the caller's `role` in it (owner, admin, editor, viewer). */
  get: memberProcedure.input(byId).query(async ({ ctx, input }) => {
    const session = await ctx.sessions.get(ctx.principal, input.id, 'read').catch(toApiError);
    const { confined } = ctx.workspaces.capabilities;
    return { ...session, sandbox: { confined } };
  }),

  rename: memberProcedure.input(byId.extend({ title: sessionTitleSchema })).mutation(async ({ ctx, input }) => {
    const s = await ctx.sessions.rename(ctx.principal, input.id, input.title).catch(toApiError);
    return { id: s.id, title: s.title };
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

  restart: memberProcedure.input(byId).mutation(({ ctx, input }) => ctx.sessions.restart(ctx.principal, input.id).catch(toApiError)),

  /** Creates a workspace whose creation failed (a clone) again. */
  retry: memberProcedure.input(byId).mutation(({ ctx, input }) => ctx.sessions.retry(ctx.principal, input.id).catch(toApiError)),

  /** Hides the session and removes its files; its events and the team's record of the deletion stay for the audit. */
  delete: memberProcedure.input(byId).mutation(async ({ ctx, input }) => {
    const { owner, members } = await ctx.members.list(ctx.principal, input.id).catch(toApiError);
    const done = await ctx.sessions.remove(ctx.principal, input.id).catch(toApiError);
    ctx.log.info({ sessionId: input.id, by: ctx.principal.user.id }, 'session deleted');
    // Sockets following it (its owner's, its members', the caller's) drop it now rather than at the next sweep.
    for (const userId of new Set([owner.id, ...members.map((m) => m.id), ctx.principal.user.id])) ctx.accessChanges.changed(userId);
    return done;
  }),

  /** The same events the live socket delivers, for pages that poll or replay. */
  events: memberProcedure.input(eventsAfterInput).query(async ({ ctx, input }) => {
    await ctx.sessions.get(ctx.principal, input.sessionId, 'read').catch(toApiError);
    return listEvents(ctx.db, input.sessionId, input.afterSeq, input.limit);
  }),
});
