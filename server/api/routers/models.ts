import { recordAudit } from '../../audit/team-audit.ts';
import { z } from 'zod';
import { routeEntrySchema } from '../../models/routes.ts';
import { modelTasks, modelTaskSchema } from '../../models/tasks.ts';
import { adminProcedure, memberProcedure, router } from '../trpc.ts';

const taskInput = z.object({ task: modelTaskSchema.default('agent') });

export const modelsRouter = router({
  /** Members see whether a model is configured (the agent panel says how otherwise); no keys ever. */
  configured: memberProcedure.query(async ({ ctx }) => {
    const s = await ctx.models.router.status();
    return { configured: s.configured, howTo: s.howTo };
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
      return list;
    }),

  resetRoutes: adminProcedure.input(taskInput.optional()).mutation(async ({ ctx, input }) => {
    const task = input?.task ?? 'agent';
    const list = await ctx.models.settings.reset(task);
    await recordAudit(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, action: 'models.routes_reset', detail: { task } });
    return list;
  }),
});
