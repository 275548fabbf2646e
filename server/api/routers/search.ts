// The IDE's quick open, search across files and replace in files. All of it runs inside the
// workspace's sandbox (server/search/); here inputs are validated and access is checked.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { applyReplace, MAX_REPLACE_FILES, previewReplace } from '../../search/replace.ts';
import { searchTargetOf } from '../../search/target.ts';
import { listFiles, searchText } from '../../search/text-search.ts';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { WorkspaceUnavailableError } from '../../sessions/workspaces.ts';
import { toApiError } from '../errors.ts';
import { memberProcedure, router, type Context } from '../trpc.ts';

/** Quick open matches over at most this many files. */
const MAX_QUICK_OPEN_FILES = 20_000;
const MAX_TEXT_RESULTS = 2_000;

const query = z.object({
  sessionId: sessionIdSchema,
  pattern: z.string().min(1, 'Enter text to search for').max(1000, 'Search text too long (1000 characters at most)'),
  regex: z.boolean().default(false),
  caseSensitive: z.boolean().default(false),
  glob: z.string().trim().max(200).refine((g) => !g.includes('\0'), 'invalid glob').optional().transform((g) => g || undefined),
});
const replaceQuery = query.extend({ replacement: z.string().max(10_000) });

type Principal = NonNullable<Context['principal']>;

async function workspaceOf(ctx: Context & { principal: Principal }, sessionId: string, write: boolean) {
  const { session, workspace } = await ctx.sessions.workspace(ctx.principal, sessionId, write ? 'write' : 'read').catch(toApiError);
  if (write && session.status === 'stopped') toApiError(new WorkspaceUnavailableError('The session is stopped; its files are read-only.'));
  return workspace;
}

/** A search that could not run (a bad regular expression, a timeout) is the caller's to fix. */
function orBadRequest<T extends { ok: boolean }>(r: T | { ok: false; error: string }): T {
  if (!r.ok) throw new TRPCError({ code: 'BAD_REQUEST', message: (r as { error: string }).error });
  return r as T;
}

export const searchRouter = router({
  files: memberProcedure.input(z.object({ sessionId: sessionIdSchema })).query(async ({ ctx, input, signal }) => {
    const ws = await workspaceOf(ctx, input.sessionId, false);
    const r = orBadRequest(await listFiles(searchTargetOf(ws), MAX_QUICK_OPEN_FILES, signal).catch(toApiError));
    return { files: r.files, more: r.more };
  }),

  text: memberProcedure.input(query).query(async ({ ctx, input, signal }) => {
    const ws = await workspaceOf(ctx, input.sessionId, false);
    const r = orBadRequest(await searchText(searchTargetOf(ws), { ...input, path: '.', maxResults: MAX_TEXT_RESULTS, signal }).catch(toApiError));
    return { matches: r.matches, more: r.more, engine: r.engine };
  }),

  previewReplace: memberProcedure.input(replaceQuery).query(async ({ ctx, input, signal }) => {
    const ws = await workspaceOf(ctx, input.sessionId, false);
    const r = orBadRequest(await previewReplace(searchTargetOf(ws), ws.files, { ...input, path: '.', signal }).catch(toApiError));
    return { files: r.files, more: r.more };
  }),

  replace: memberProcedure
    .input(replaceQuery.extend({ files: z.array(z.object({ path: z.string().min(1).max(4096), version: z.string().min(1).max(100) })).min(1).max(MAX_REPLACE_FILES) }))
    .mutation(async ({ ctx, input }) => {
      const ws = await workspaceOf(ctx, input.sessionId, true);
      const outcomes = await applyReplace(ws.files, { ...input, path: '.' }, input.files).catch(toApiError);
      if ('error' in outcomes) throw new TRPCError({ code: 'BAD_REQUEST', message: outcomes.error });
      for (const o of outcomes.filter((o) => o.replacements > 0)) {
        await ctx.events.append(input.sessionId, { type: 'file.changed', payload: { path: o.path, change: 'modified' } }, { kind: 'user', id: ctx.principal.user.id });
      }
      return { outcomes };
    }),
});
