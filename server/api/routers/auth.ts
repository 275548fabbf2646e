import { TRPCError } from '@trpc/server';
import { needsSetup, setupAdmin } from '../../auth/accounts.ts';
import { clearedSessionCookie, knownDevice, login, logout, readCookie, sessionCookie, startAuthSession } from '../../auth/auth-sessions.ts';
import { DEVICE_COOKIE, deviceCookie } from '../../auth/device-cookie.ts';
import { changeOwnPassword, resetPassword } from '../../auth/passwords.ts';
import { changePasswordInput, loginInput, resetPasswordInput, setupInput } from '../../auth/schemas.ts';
import { recordSignIn, type SignInOutcome } from '../../audit/sign-ins.ts';
import { toApiError } from '../errors.ts';
import { memberProcedure, publicProcedure, router, type Context } from '../trpc.ts';

const secureCookies = (ctx: Context) => ctx.config.TETHER_PUBLIC_URL?.startsWith('https:') ?? false;

/** The audit record must not decide the sign-in: a failure to write it is logged, not shown. */
const audited = (ctx: Context, email: string, outcome: SignInOutcome) =>
  recordSignIn(ctx.db, { email, address: ctx.clientAddress, outcome }).catch((err: unknown) => ctx.log.error({ err, email }, 'could not record a sign-in in the audit'));

export const authRouter = router({
  /** What the login/setup pages need to know before anyone is signed in. */
  status: publicProcedure.query(async ({ ctx }) => ({
    needsSetup: await needsSetup(ctx.db),
    user: ctx.principal ? { ...ctx.principal.user, role: ctx.principal.role } : null,
  })),

  setup: publicProcedure.input(setupInput).mutation(async ({ ctx, input }) => {
    const user = await setupAdmin(ctx.db, input).catch(toApiError);
    const { token, expiresAt } = await startAuthSession(ctx.db, user.id, ctx.config.TETHER_SESSION_TTL, ctx.req.headers['user-agent']);
    ctx.res.appendHeader('Set-Cookie', sessionCookie(token, expiresAt, secureCookies(ctx)));
    ctx.log.info({ userId: user.id }, 'admin account created');
    return { id: user.id };
  }),

  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const attempt = {
      email: input.email,
      address: ctx.clientAddress,
      knownDevice: await knownDevice(ctx.db, input.email, readCookie(ctx.req.headers.cookie, DEVICE_COOKIE)),
    };
    const throttled = await ctx.loginThrottle.check(attempt);
    if (throttled) {
      ctx.log.warn({ email: input.email, address: ctx.clientAddress, knownDevice: !!attempt.knownDevice, scope: throttled.scope, waitMs: throttled.waitMs }, 'sign-in throttled');
      const seconds = Math.ceil(throttled.waitMs / 1000);
      ctx.res.setHeader('Retry-After', String(seconds));
      await audited(ctx, input.email, 'rate_limited');
      throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `Too many failed sign-ins. Try again in ${seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.` });
    }
    const session = await login(ctx.db, input.email, input.password, ctx.config.TETHER_SESSION_TTL, ctx.req.headers['user-agent']);
    if (!session) {
      await ctx.loginThrottle.failed(attempt);
      ctx.log.warn({ email: input.email, address: ctx.clientAddress, knownDevice: !!attempt.knownDevice }, 'failed sign-in');
      await audited(ctx, input.email, 'wrong_credentials');
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password.' });
    }
    await ctx.loginThrottle.succeeded(attempt);
    await audited(ctx, input.email, 'ok');
    ctx.res.appendHeader('Set-Cookie', sessionCookie(session.token, session.expiresAt, secureCookies(ctx)));
    ctx.res.appendHeader('Set-Cookie', deviceCookie(session.device, secureCookies(ctx)));
    return { ok: true as const };
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    await logout(ctx.db, ctx.token);
    if (ctx.principal) ctx.accessChanges.changed(ctx.principal.user.id);
    ctx.res.appendHeader('Set-Cookie', clearedSessionCookie(secureCookies(ctx)));
    return { ok: true as const };
  }),

  /** Needs the current password; every other sign-in of the account ends (and its sockets with it). */
  changePassword: memberProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    const { user, teamId, authSessionId } = ctx.principal;
    const { device } = await changeOwnPassword(ctx.db, { userId: user.id, teamId, authSessionId }, input.currentPassword, input.newPassword).catch((err: unknown) => {
      ctx.log.warn({ userId: user.id, err: err instanceof Error ? err.message : err }, 'password change refused');
      return toApiError(err);
    });
    ctx.log.info({ userId: user.id }, 'password changed; other sign-ins ended');
    ctx.accessChanges.changed(user.id);
    ctx.res.appendHeader('Set-Cookie', deviceCookie(device, secureCookies(ctx)));
    return { ok: true as const };
  }),

  /** Public: the one-time token from an admin's link is the credential. Every sign-in of the account ends. */
  resetPassword: publicProcedure.input(resetPasswordInput).mutation(async ({ ctx, input }) => {
    const done = await resetPassword(ctx.db, input.token, input.password).catch((err: unknown) => {
      ctx.log.warn({ address: ctx.clientAddress, err: err instanceof Error ? err.message : err }, 'password reset refused');
      return toApiError(err);
    });
    ctx.log.info({ userId: done.userId }, 'password reset through a link; sign-ins ended');
    ctx.accessChanges.changed(done.userId);
    return { email: done.email };
  }),
});
