import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { DecideResult } from '../../agent/approvals/service.ts';
import { roleAllows, VIEWER_REFUSAL } from '../../sessions/access.ts';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { toApiError } from '../errors.ts';
import { adminProcedure, memberProcedure, router } from '../trpc.ts';

const inSession = z.object({ sessionId: sessionIdSchema });
const codes = { not_found: 'NOT_FOUND', conflict: 'CONFLICT', forbidden: 'FORBIDDEN', bad_request: 'BAD_REQUEST' } as const;

function unwrap(r: DecideResult) {
  if (!r.ok) throw new TRPCError({ code: codes[r.code], message: r.error });
  return { ...r.approval, rulesAdded: r.rulesAdded };
}

export const approvalsRouter = router({
  /** The session's approvals, with whether the caller may approve or deny each (a viewer may answer none). */
  list: memberProcedure.input(inSession).query(async ({ ctx, input }) => {
    const { role } = await ctx.sessions.get(ctx.principal, input.sessionId, 'read').catch(toApiError);
    const approvals = await ctx.approvals.inSession(ctx.principal, input.sessionId);
    if (roleAllows(role, 'write')) return approvals;
    return approvals.map((a) => ({ ...a, approveRefusal: VIEWER_REFUSAL, denyRefusal: VIEWER_REFUSAL, suggestedRules: [] }));
  }),

  /**
   * Approve or deny. Who may approve is decided on the server (high risk: an admin who did not
   * start the run). addRule (admins, with approve): also add the suggested allow rules for the workspace.
   */
  decide: memberProcedure.input(inSession.extend({ approvalId: z.string().min(1).max(100), approve: z.boolean(), addRule: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.sessions.get(ctx.principal, input.sessionId).catch(toApiError);
      return unwrap(await ctx.approvals.decide(ctx.principal, input));
    }),

  /** Every pending approval of the team, for the admin queue and the header badge. */
  queue: adminProcedure.query(({ ctx }) => ctx.approvals.queue(ctx.principal)),
});
