// What a share link's holder may call: viewerProcedure only (the token decides, never a sign-in),
// each bound to the link's own session. Reads, and a comment when the link's scope allows it.
// No member procedure is reachable with a token, and nothing here takes a session id.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { CommentError, commentInput } from '../../share/comments.ts';
import { ReplayUnavailableError } from '../../share/replay.ts';
import { shareTokenSchema } from '../../share/links.ts';
import { toApiError } from '../errors.ts';
import { router, viewerProcedure } from '../trpc.ts';

const withToken = z.object({ token: shareTokenSchema });
const position = withToken.extend({ seq: z.number().int().min(0) });
const relPath = z.string().min(1).max(4096, 'Path too long (4096 characters at most)');

const viewerError = (err: unknown): never => {
  if (err instanceof CommentError) throw new TRPCError({ code: err.code, message: err.message });
  if (err instanceof ReplayUnavailableError) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: err.message });
  return toApiError(err);
};

export const viewerRouter = router({
  /** Opening the viewer: the session's header. This is the link's "opened" audit record. */
  session: viewerProcedure.input(withToken).query(async ({ ctx }) => {
    await ctx.share.links.recordUse(ctx.link, 'open', ctx.viewerUser);
    return ctx.share.viewer.summary(ctx.link);
  }),

  /** The file paths as of a position of the timeline (seq: after that event). */
  tree: viewerProcedure.input(position).query(({ ctx, input }) =>
    ctx.share.viewer.treeAt(ctx.link, input.seq).catch(viewerError)),

  file: viewerProcedure.input(position.extend({ path: relPath })).query(({ ctx, input }) =>
    ctx.share.viewer.fileAt(ctx.link, input.seq, input.path).catch(viewerError)),

  /** The one thing a viewer may add, and only with a "comment" link. */
  comment: viewerProcedure.input(withToken.extend(commentInput.shape)).mutation(async ({ ctx, input }) => {
    const added = await ctx.share.comments.add(ctx.link, ctx.viewerUser.userId, input).catch(viewerError);
    await ctx.share.links.recordUse(ctx.link, 'comment', ctx.viewerUser, { commentId: added.id });
    return added;
  }),
});
