// Task profiles: members list them to pick one for a run; only admins create, change or delete
// them, and see what each profile spent.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { profileInput, profileNameSchema } from '../../agent/profiles/spec.ts';
import { deleteProfile, listProfiles, ProfileError, saveProfile } from '../../agent/profiles/store.ts';
import { profileUsage } from '../../agent/profiles/usage.ts';
import { adminProcedure, memberProcedure, router } from '../trpc.ts';

const DAY_MS = 86_400_000;

/** A stored profile that no longer validates, or a refused delete, is the caller's to fix: said in words. */
function asApiError(err: unknown): never {
  if (err instanceof ProfileError) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: err.message });
  throw err;
}

export const profilesRouter = router({
  list: memberProcedure.query(({ ctx }) => listProfiles(ctx.db, ctx.principal.teamId).catch(asApiError)),

  save: adminProcedure.input(profileInput).mutation(({ ctx, input }) =>
    saveProfile(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, profile: input }).catch(asApiError)),

  delete: adminProcedure.input(z.object({ name: profileNameSchema })).mutation(async ({ ctx, input }) => {
    await deleteProfile(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, name: input.name }).catch(asApiError);
    return { name: input.name };
  }),

  /** Tokens and cost per profile and user over the last `days` days. */
  usage: adminProcedure.input(z.object({ days: z.number().int().min(1).max(366).default(30) })).query(({ ctx, input }) =>
    profileUsage(ctx.db, ctx.principal.teamId, new Date(Date.now() - input.days * DAY_MS))),
});
