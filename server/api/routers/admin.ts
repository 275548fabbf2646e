import { z } from 'zod';
import { createUser, listTeamUsers, setDisabled, setRole } from '../../auth/accounts.ts';
import { createResetLink } from '../../auth/passwords.ts';
import { roleSchema } from '../../auth/roles.ts';
import { createUserInput } from '../../auth/schemas.ts';
import { toApiError } from '../errors.ts';
import { adminProcedure, router } from '../trpc.ts';

const userIdInput = z.object({ userId: z.string().min(1).max(64) });

export const adminRouter = router({
  users: adminProcedure.query(({ ctx }) => listTeamUsers(ctx.db, ctx.principal.teamId)),

  createUser: adminProcedure.input(createUserInput).mutation(({ ctx, input }) =>
    createUser(ctx.db, ctx.principal.teamId, ctx.principal.user.id, input).catch(toApiError)),

  setRole: adminProcedure.input(userIdInput.extend({ role: roleSchema })).mutation(async ({ ctx, input }) => {
    await setRole(ctx.db, ctx.principal.teamId, ctx.principal.user.id, input.userId, input.role).catch(toApiError);
    ctx.accessChanges.changed(input.userId);
  }),

  setDisabled: adminProcedure.input(userIdInput.extend({ disabled: z.boolean() })).mutation(async ({ ctx, input }) => {
    await setDisabled(ctx.db, ctx.principal.teamId, ctx.principal.user.id, input.userId, input.disabled).catch(toApiError);
    ctx.accessChanges.changed(input.userId);
  }),

  /** A one-time link (valid RESET_LINK_TTL_MS) the admin passes on; only its digest is stored. */
  createResetLink: adminProcedure.input(userIdInput).mutation(async ({ ctx, input }) => {
    const link = await createResetLink(ctx.db, ctx.principal.teamId, ctx.principal.user.id, input.userId).catch(toApiError);
    ctx.log.info({ userId: input.userId, by: ctx.principal.user.id }, 'password reset link created');
    return link;
  }),
});
