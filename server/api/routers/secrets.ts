// Per-workspace secrets, for admins only. Values go in (add, rotate) and never come out.
import { addSecretInput, listSecretsInput, rotateSecretInput, secretRefInput } from '../../secrets/schemas.ts';
import { toApiError } from '../errors.ts';
import { adminProcedure, router } from '../trpc.ts';

export const secretsRouter = router({
  list: adminProcedure.input(listSecretsInput).query(({ ctx, input }) =>
    ctx.secrets.list(actor(ctx.principal), input.workspaceId).catch(toApiError)),

  add: adminProcedure.input(addSecretInput).mutation(({ ctx, input }) =>
    ctx.secrets.add(actor(ctx.principal), input).catch(toApiError)),

  rotate: adminProcedure.input(rotateSecretInput).mutation(({ ctx, input }) =>
    ctx.secrets.rotate(actor(ctx.principal), input).catch(toApiError)),

  remove: adminProcedure.input(secretRefInput).mutation(async ({ ctx, input }) => {
    await ctx.secrets.remove(actor(ctx.principal), input).catch(toApiError);
    return { name: input.name };
  }),
});

function actor(p: { teamId: string; user: { id: string } }) {
  return { teamId: p.teamId, userId: p.user.id };
}
