// All tRPC set-up: 1. context, 2. initialisation, 3. procedures (public / member / admin).
// Every procedure is built from one of the three below, so authorization is never optional.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { readCookie, resolvePrincipal, SESSION_COOKIE } from '../auth/auth-sessions.ts';
import type { Services } from '../services.ts';
import { LinkGoneError, shareRefusalCodes } from './share-refusals.ts';
import { shareTokenSchema } from '../share/links.ts';

// 1. Context ------------------------------------------------------------------------------
export async function createContext(services: Services, req: IncomingMessage, res: ServerResponse) {
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  const principal = await resolvePrincipal(services.db, token);
  return { ...services, req, res, token, principal, clientAddress: req.socket.remoteAddress ?? 'unknown' };
}
export type Context = Awaited<ReturnType<typeof createContext>>;

// 2. Initialisation -------------------------------------------------------------------------
/** Who may call a procedure; tests read it to check every procedure is guarded as declared. */
export interface Meta {
  access: 'public' | 'member' | 'admin' | 'viewer';
  /** Takes bodies up to TETHER_MAX_UPLOAD_BYTES instead of the small default (server/api/request-guards.ts). */
  upload?: true;
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      // Field errors let forms show "Enter a valid email address" beside the field.
      data: { ...shape.data, fieldErrors: zod ? zod.flatten().fieldErrors : null },
      message: zod ? zod.issues.map((i) => i.message).join('; ') : shape.message,
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// Unexpected errors are logged with their stack; the caller sees a plain sentence, never internals.
const logged = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') {
    ctx.log.error({ err: result.error.cause ?? result.error, path }, 'tRPC procedure failed');
    result.error.message = 'Something went wrong on the server; it has been logged.';
  }
  return result;
});

// 3. Procedures ---------------------------------------------------------------------------
export const publicProcedure = t.procedure.meta({ access: 'public' }).use(logged);

export const memberProcedure = publicProcedure.meta({ access: 'member' }).use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
  return next({ ctx: { ...ctx, principal: ctx.principal } });
});

/**
 * Holders of a share link (server/api/share-viewer.ts): the link's token, not a sign-in, decides,
 * and the handler gets the link (its one session, its scope). Reads only, but for comments.
 */
export const viewerProcedure = publicProcedure.meta({ access: 'viewer' }).use(async ({ ctx, path, getRawInput, next }) => {
  const raw = await getRawInput();
  const token = shareTokenSchema.safeParse(raw && typeof raw === 'object' ? (raw as { token?: unknown }).token : undefined);
  if (!token.success) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Open this page from a share link.' });
  const who = { address: ctx.clientAddress, userId: ctx.principal?.user.id ?? null };
  const resolved = await ctx.share.links.resolve(token.data, ctx.principal, path, who);
  if (!resolved.ok) {
    throw new TRPCError({ code: shareRefusalCodes[resolved.reason], message: resolved.message, cause: resolved.reason === 'gone' ? new LinkGoneError(resolved.message) : undefined });
  }
  return next({ ctx: { link: resolved.link, viewerUser: who } });
});

export const adminProcedure = memberProcedure.meta({ access: 'admin' }).use(({ ctx, next }) => {
  if (ctx.principal.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an admin can do that.' });
  return next();
});
