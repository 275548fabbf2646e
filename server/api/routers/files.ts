// The workspace file API. Paths are checked against the workspace root by the FileService
// (server/workspace/files.ts) — here they are only shape-checked — and every write is an event.
import { z } from 'zod';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { WorkspaceUnavailableError } from '../../sessions/workspaces.ts';
import { FileError, type FileService } from '../../workspace/files.ts';
import { toApiError } from '../errors.ts';
import { memberProcedure, router, type Context } from '../trpc.ts';

/** What Linux allows for one name in a path (NAME_MAX), in bytes. */
const MAX_NAME_BYTES = 255;
/** Shape only: the FileService decides what a path may reach. */
const relPath = z.string().max(4096, 'Path too long (4096 characters at most)').refine(
  (p) => p.split('/').every((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES),
  `A file or folder name can be at most ${MAX_NAME_BYTES} bytes long`,
);
const inSession = z.object({ sessionId: sessionIdSchema });
/** The editor holds one buffer in memory; larger saves belong to the terminal. */
const MAX_SAVE_CHARS = 5 * 1024 * 1024;

type Principal = NonNullable<Context['principal']>;

async function filesOf(ctx: Context & { principal: Principal }, sessionId: string, write: boolean) {
  const { session, workspace } = await ctx.sessions.workspace(ctx.principal, sessionId, write ? 'write' : 'read').catch(toApiError);
  if (write && session.status === 'stopped') toApiError(new WorkspaceUnavailableError('The session is stopped; its files are read-only.'));
  return workspace.files;
}

/** Each missing folder above `path`, made one at a time by the workspace host (which checks each). */
async function createParents(files: FileService, path: string) {
  const names = path.split('/').filter(Boolean).slice(0, -1);
  for (let i = 1; i <= names.length; i++) {
    await files.createDir(names.slice(0, i).join('/')).catch((e: unknown) => {
      if (!(e instanceof FileError && e.code === 'ALREADY_EXISTS')) throw e;
    });
  }
}

const actor = (ctx: { principal: Principal }) => ({ kind: 'user' as const, id: ctx.principal.user.id });

export const filesRouter = router({
  list: memberProcedure.input(inSession.extend({ path: relPath.default('') })).query(async ({ ctx, input }) => {
    const files = await filesOf(ctx, input.sessionId, false);
    const entries = await files.list(input.path).catch(toApiError);
    return entries
      .map((e) => ({ name: e.name, path: e.path, type: e.type === 'directory' ? ('dir' as const) : e.type, size: e.size }))
      .sort((a, b) => (a.type === 'dir') === (b.type === 'dir') ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1);
  }),

  read: memberProcedure.input(inSession.extend({ path: relPath })).query(async ({ ctx, input }) => {
    const files = await filesOf(ctx, input.sessionId, false);
    const r = await files.read(input.path).catch(toApiError);
    return {
      path: r.path,
      content: r.kind === 'text' ? r.content : null,
      version: r.hash ?? `mtime:${r.mtimeMs}`,
      size: r.size,
      binary: r.kind === 'binary',
      tooLarge: r.kind === 'too-large',
    };
  }),

  write: memberProcedure
    .meta({ access: 'member', upload: true })
    .input(inSession.extend({ path: relPath, content: z.string().max(MAX_SAVE_CHARS, 'File too large to save from the editor'), expectedVersion: z.string().max(100).optional() }))
    .mutation(async ({ ctx, input }) => {
      const files = await filesOf(ctx, input.sessionId, true);
      const expected = input.expectedVersion && !input.expectedVersion.startsWith('mtime:') ? { hash: input.expectedVersion } : undefined;
      const r = await files.write(input.path, input.content, expected).catch(toApiError);
      await ctx.events.append(input.sessionId, { type: 'file.changed', payload: { path: r.path, change: 'modified' } }, actor(ctx));
      return { version: r.hash };
    }),

  /** A nested path (`a/b/c.ts`) creates the folders it names; `version` is a new file's, for its first save. */
  create: memberProcedure.input(inSession.extend({ path: relPath.min(1, 'Enter a name'), kind: z.enum(['file', 'dir']) })).mutation(async ({ ctx, input }) => {
    const files = await filesOf(ctx, input.sessionId, true);
    await createParents(files, input.path).catch(toApiError);
    let version: string | null = null;
    if (input.kind === 'dir') await files.createDir(input.path).catch(toApiError);
    else version = (await files.createFile(input.path, '').catch(toApiError)).hash;
    await ctx.events.append(input.sessionId, { type: 'file.changed', payload: { path: input.path, change: 'created' } }, actor(ctx));
    return { path: input.path, version };
  }),

  rename: memberProcedure.input(inSession.extend({ from: relPath.min(1), to: relPath.min(1, 'Enter a name') })).mutation(async ({ ctx, input }) => {
    const files = await filesOf(ctx, input.sessionId, true);
    await files.rename(input.from, input.to).catch(toApiError);
    await ctx.events.append(input.sessionId, { type: 'file.changed', payload: { path: input.from, change: 'renamed', to: input.to } }, actor(ctx));
    return { path: input.to };
  }),

  delete: memberProcedure.input(inSession.extend({ path: relPath.min(1) })).mutation(async ({ ctx, input }) => {
    const files = await filesOf(ctx, input.sessionId, true);
    await files.delete(input.path).catch(toApiError);
    await ctx.events.append(input.sessionId, { type: 'file.changed', payload: { path: input.path, change: 'deleted' } }, actor(ctx));
    return { path: input.path };
  }),
});
