import { recordAudit } from '../../audit/team-audit.ts';
import { z } from 'zod';
import { askAnAdmin } from '../../models/not-configured.ts';
import { routeEntrySchema } from '../../models/routes.ts';
import { modelTasks, modelTaskSchema } from '../../models/tasks.ts';
import { adminProcedure, memberProcedure, router } from '../trpc.ts';

const taskInput = z.object({ task: modelTaskSchema.default('agent') });

export const modelsRouter = router({
  /**
   * Whether the agent can run. Admins get how to configure a model; members one line, since the
   * server's environment variables are neither theirs to set nor theirs to see.
   */
  configured: memberProcedure.query(async ({ ctx }) => {
    const s = await ctx.models.router.status();
    return { configured: s.configured, howTo: ctx.principal.role === 'admin' ? s.howTo : s.configured ? null : askAnAdmin };
  }),

  /** Each task's routes with health (breaker state, failures, latency, context window) and today's usage. */
  status: adminProcedure.query(async ({ ctx }) => ({
    tasks: await Promise.all(modelTasks.map((task) => ctx.models.router.status(task))),
    usage: await ctx.models.meter.summary(),
  })),

  setRoutes: adminProcedure.input(taskInput.extend({ routes: z.array(routeEntrySchema).min(1, 'Keep at least one route, or reset to the environment').max(10) }))
    .mutation(async ({ ctx, input }) => {
      const list = await ctx.models.settings.set(input.task, input.routes, ctx.principal.user.id);
      await recordAudit(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, action: 'models.routes_changed', detail: { task: input.task, routes: input.routes } });
      // Saved either way (the key may be added next), but the admin hears at once which routes cannot be called.
      const unusable = (await ctx.models.router.status(input.task)).routes.flatMap((r) => (r.missing ? [{ id: r.id, missing: r.missing }] : []));
      if (unusable.length) ctx.log.warn({ task: input.task, unusable }, 'model routes saved without a usable key');
      return { ...list, unusable };
    }),

  resetRoutes: adminProcedure.input(taskInput.optional()).mutation(async ({ ctx, input }) => {
    const task = input?.task ?? 'agent';
    const list = await ctx.models.settings.reset(task);
    await recordAudit(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, action: 'models.routes_reset', detail: { task } });
    return list;
  }),
});
