// The team audit for admins: browse and filter both chains, export, verify, retention.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { pruneTeamAudit } from '../../audit/retention.ts';
import { recordAudit } from '../../audit/team-audit.ts';
import { verifyAll } from '../../audit/verify.ts';
import { auditQueryInput, BadCursorError, listAudit } from '../../audit/view.ts';
import { toApiError } from '../errors.ts';
import { adminProcedure, router } from '../trpc.ts';

const retentionInput = z.object({ days: z.number().int().min(1).max(36_500).nullable() });

export const auditRouter = router({
  list: adminProcedure.input(auditQueryInput).query(({ ctx, input }) =>
    listAudit(ctx.db, ctx.principal.teamId, input).catch((err: unknown) => {
      if (err instanceof BadCursorError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
      return toApiError(err);
    })),

  /** Both chains of this team (or one of its sessions); each report names its first broken record. */
  verify: adminProcedure.input(z.object({ sessionId: z.string().min(1).max(64).optional() })).mutation(async ({ ctx, input }) => {
    const teamId = ctx.principal.teamId;
    if (input.sessionId && !(await ctx.db.session.findFirst({ where: { id: input.sessionId, teamId }, select: { id: true } }))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session in your team.' });
    }
    const reports = await verifyAll(ctx.db, input.sessionId ? { sessionId: input.sessionId } : { teamId });
    return { ok: reports.every((r) => !r.broken), reports };
  }),

  retention: adminProcedure.query(async ({ ctx }) => {
    const team = await ctx.db.team.findUniqueOrThrow({ where: { id: ctx.principal.teamId }, select: { auditRetentionDays: true } });
    return { days: team.auditRetentionDays };
  }),

  setRetention: adminProcedure.input(retentionInput).mutation(async ({ ctx, input }) => {
    const teamId = ctx.principal.teamId;
    await ctx.db.$transaction(async (tx) => {
      const before = await tx.team.findUniqueOrThrow({ where: { id: teamId }, select: { auditRetentionDays: true } });
      await tx.team.update({ where: { id: teamId }, data: { auditRetentionDays: input.days }, select: { id: true } });
      await recordAudit(tx, { teamId, actorId: ctx.principal.user.id, action: 'audit.retention_changed', detail: { before: before.auditRetentionDays, after: input.days } });
    });
    const pruned = await pruneTeamAudit(ctx.db, teamId);
    return { days: input.days, pruned };
  }),
});
