// Members manage a session's share links: create (the token is in this answer only), list, revoke.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { createShareInput, ShareError } from '../../share/links.ts';
import { toApiError } from '../errors.ts';
import { memberProcedure, router } from '../trpc.ts';

const shareError = (err: unknown): never => {
  if (err instanceof ShareError) throw new TRPCError({ code: err.code, message: err.message });
  return toApiError(err);
};
const inSession = z.object({ sessionId: sessionIdSchema });

export const shareRouter = router({
  create: memberProcedure.input(createShareInput.extend({ sessionId: sessionIdSchema })).mutation(({ ctx, input }) =>
    ctx.share.links.create(ctx.principal, input).catch(shareError)),

  list: memberProcedure.input(inSession).query(({ ctx, input }) =>
    ctx.share.links.list(ctx.principal, input.sessionId).catch(shareError)),

  revoke: memberProcedure.input(inSession.extend({ linkId: z.string().min(1).max(64) })).mutation(({ ctx, input }) =>
    ctx.share.links.revoke(ctx.principal, input.sessionId, input.linkId).catch(shareError)),
});
