// A session's members: everyone who can see the session lists them; the owner and admins add,
// change and remove them (the domain checks who may, server/sessions/members.ts).
import { z } from 'zod';
import { memberRoleInput, memberTargetInput } from '../../sessions/members.ts';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { toApiError } from '../errors.ts';
import { memberProcedure, router } from '../trpc.ts';

const inSession = z.object({ sessionId: sessionIdSchema });

export const membersRouter = router({
  /** The owner, the members with their roles, and the caller's own role. */
  list: memberProcedure.input(inSession).query(({ ctx, input }) => ctx.members.list(ctx.principal, input.sessionId).catch(toApiError)),

  /** The team's people who could be added (for the owner and admins). */
  candidates: memberProcedure.input(inSession).query(({ ctx, input }) => ctx.members.candidates(ctx.principal, input.sessionId).catch(toApiError)),

  add: memberProcedure.input(memberRoleInput).mutation(({ ctx, input }) => ctx.members.add(ctx.principal, input).catch(toApiError)),

  setRole: memberProcedure.input(memberRoleInput).mutation(({ ctx, input }) => ctx.members.setRole(ctx.principal, input).catch(toApiError)),

  remove: memberProcedure.input(memberTargetInput).mutation(({ ctx, input }) => ctx.members.remove(ctx.principal, input).catch(toApiError)),
});
