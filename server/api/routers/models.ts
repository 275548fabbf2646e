import { recordAudit } from '../../audit/team-audit.ts';
import { z } from 'zod';
import { routeIdSchema } from '../../models/routes.ts';
import { adminProcedure, memberProcedure, router } from '../trpc.ts';

export const modelsRouter = router({
  /** Members see whether a model is configured (the agent panel says how otherwise); no keys ever. */
  configured: memberProcedure.query(async ({ ctx }) => {
    const s = await ctx.models.router.status();
    return { configured: s.configured, howTo: s.howTo };
  }),

  /** Routes with health (breaker state, failures, latency) and today's usage. */
  status: adminProcedure.query(async ({ ctx }) => ({
    router: await ctx.models.router.status(),
    usage: await ctx.models.meter.summary(),
  })),

  setRoutes: adminProcedure.input(z.object({ routes: z.array(routeIdSchema).min(1, 'Keep at least one route, or reset to the environment').max(10) }))
    .mutation(async ({ ctx, input }) => {
      const list = await ctx.models.settings.set(input.routes, ctx.principal.user.id);
      await recordAudit(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, action: 'models.routes_changed', detail: { routes: input.routes } });
      return list;
    }),

  resetRoutes: adminProcedure.mutation(async ({ ctx }) => {
    const list = await ctx.models.settings.reset();
    await recordAudit(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, action: 'models.routes_reset' });
    return list;
  }),
});
