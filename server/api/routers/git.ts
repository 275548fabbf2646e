// The git panel's API: the workspace repository's status, one file's two sides for the diff
// editor, stage/unstage, commit, branches, pull, log, and push through the policy gate. Every
// call runs git in the workspace's sandbox as its uid (server/git/); paths are checked by the
// file API's rules before git sees them, and git takes them literally (no pathspec magic).
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { branches, branchNameSchema, commit, commitMessageSchema, init, log, pull, stage, switchBranch, unstage } from '../../git/ops.ts';
import { createPushGate } from '../../git/push.ts';
import { repoStatus } from '../../git/status.ts';
import { fileVersions } from '../../git/versions.ts';
import type { SessionNeed } from '../../sessions/access.ts';
import type { EventPayload } from '../../sessions/event-types.ts';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { checkRelative } from '../../workspace/paths.ts';
import { toApiError } from '../errors.ts';
import { memberProcedure, router, type Context } from '../trpc.ts';

type Principal = NonNullable<Context['principal']>;

const inSession = z.object({ sessionId: sessionIdSchema });
/** A path in the repository: the file API's syntax rules, and never the root itself. */
const repoPath = z.string().max(4096, 'Path too long (4096 characters at most)').transform((p, ctx) => {
  try {
    const rel = checkRelative(p);
    if (rel) return rel;
    ctx.addIssue({ code: 'custom', message: 'Name a file, not the workspace root' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
  return z.NEVER;
});
const paths = z.array(repoPath).min(1, 'Choose at least one file').max(1000, 'At most 1000 files at once');
const remoteSchema = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'A remote is a name such as "origin"').default('origin');

/** A failed git call is logged with the words the person sees, then becomes an API error. */
const failed = (ctx: Context, sessionId: string, what: string) => (err: unknown): never => {
  ctx.log.warn({ sessionId, err: err instanceof Error ? err.message : String(err) }, 'git %s failed', what);
  return toApiError(err);
};

/** A change made from the panel is a session event: the timeline and the audit show who did what. */
async function record(ctx: Context & { principal: Principal }, sessionId: string, action: EventPayload<'git.changed'>['action'], detail: string) {
  await ctx.events.append(sessionId, { type: 'git.changed', payload: { action, detail } }, { kind: 'user', id: ctx.principal.user.id });
}

/**
 * The session's workspace, for a caller whose role covers `need` (viewers read status, diffs,
 * branches and the log); git starts processes, so a stopped session is refused.
 */
async function repoOf(ctx: Context & { principal: Principal }, sessionId: string, need: SessionNeed = 'write') {
  const { session, workspace } = await ctx.sessions.workspace(ctx.principal, sessionId, need).catch(toApiError);
  if (session.status === 'stopped') throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'The session is stopped; its repository is read-only.' });
  return workspace;
}

export const gitRouter = router({
  status: memberProcedure.input(inSession).query(async ({ ctx, input }) => {
    return repoStatus(await repoOf(ctx, input.sessionId, 'read')).catch(failed(ctx, input.sessionId, 'status'));
  }),

  init: memberProcedure.input(inSession).mutation(async ({ ctx, input }) => {
    await init(await repoOf(ctx, input.sessionId)).catch(failed(ctx, input.sessionId, 'init'));
    await record(ctx, input.sessionId, 'init', 'a new repository');
  }),

  /** The two sides of one file's change: staged (HEAD → index) or not (index → work tree). */
  fileVersions: memberProcedure.input(inSession.extend({ path: repoPath, staged: z.boolean() })).query(async ({ ctx, input }) => {
    return fileVersions(await repoOf(ctx, input.sessionId, 'read'), input.path, input.staged).catch(failed(ctx, input.sessionId, 'diff'));
  }),

  stage: memberProcedure.input(inSession.extend({ paths })).mutation(async ({ ctx, input }) => {
    await stage(await repoOf(ctx, input.sessionId), input.paths).catch(failed(ctx, input.sessionId, 'stage'));
    await record(ctx, input.sessionId, 'stage', input.paths.join(', '));
  }),

  unstage: memberProcedure.input(inSession.extend({ paths })).mutation(async ({ ctx, input }) => {
    await unstage(await repoOf(ctx, input.sessionId), input.paths).catch(failed(ctx, input.sessionId, 'unstage'));
    await record(ctx, input.sessionId, 'unstage', input.paths.join(', '));
  }),

  /** Commits what is staged with the caller as author and committer. */
  commit: memberProcedure.input(inSession.extend({ message: commitMessageSchema })).mutation(async ({ ctx, input }) => {
    const { name, email } = ctx.principal.user;
    const done = await commit(await repoOf(ctx, input.sessionId), input.message, { name, email }).catch(failed(ctx, input.sessionId, 'commit'));
    await record(ctx, input.sessionId, 'commit', input.message.split('\n')[0]!);
    return done;
  }),

  branches: memberProcedure.input(inSession).query(async ({ ctx, input }) => {
    return branches(await repoOf(ctx, input.sessionId, 'read')).catch(failed(ctx, input.sessionId, 'branches'));
  }),

  switchBranch: memberProcedure.input(inSession.extend({ name: branchNameSchema, create: z.boolean().default(false) })).mutation(async ({ ctx, input }) => {
    await switchBranch(await repoOf(ctx, input.sessionId), input.name, input.create).catch(failed(ctx, input.sessionId, 'switch'));
    await record(ctx, input.sessionId, 'switch', `${input.create ? 'new branch ' : ''}${input.name}`);
  }),

  log: memberProcedure.input(inSession.extend({ limit: z.number().int().min(1).max(200).default(30) })).query(async ({ ctx, input }) => {
    return log(await repoOf(ctx, input.sessionId, 'read'), input.limit).catch(failed(ctx, input.sessionId, 'log'));
  }),

  pull: memberProcedure.input(inSession).mutation(async ({ ctx, input }) => {
    const output = await pull(await repoOf(ctx, input.sessionId)).catch(failed(ctx, input.sessionId, 'pull'));
    await record(ctx, input.sessionId, 'pull', output.split('\n')[0] ?? '');
    return { output };
  }),

  /** High risk: decided by the team's policy; usually it waits for an admin's approval and reports back as a git.push event. */
  push: memberProcedure.input(inSession.extend({ remote: remoteSchema, branch: branchNameSchema })).mutation(async ({ ctx, input }) => {
    const workspace = await repoOf(ctx, input.sessionId);
    return createPushGate(ctx).push({ sessionId: input.sessionId, userId: ctx.principal.user.id, remote: input.remote, branch: input.branch, workspace }).catch(failed(ctx, input.sessionId, 'push'));
  }),
});
