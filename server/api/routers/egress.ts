// The egress allowlist: which hosts the team's network-on workspaces reach without asking.
// Admins edit it; "Allow always" on a network approval adds to it too (approvals domain).
import { TRPCError } from '@trpc/server';
import { addEgressEntry, addEgressEntryInput, egressEntryIdInput, listEgressEntries, removeEgressEntry } from '../../workspace/egress/allowlist-store.ts';
import { teamWorkspaces } from '../../agent/policy/rules-store.ts';
import { adminProcedure, router } from '../trpc.ts';

export const egressRouter = router({
  /** The team's entries and each workspace's, and the workspaces an entry can be scoped to. */
  allowlist: adminProcedure.query(async ({ ctx }) => ({
    entries: await listEgressEntries(ctx.db, ctx.principal.teamId),
    workspaces: await teamWorkspaces(ctx.db, ctx.principal.teamId),
  })),

  add: adminProcedure.input(addEgressEntryInput).mutation(async ({ ctx, input }) => {
    const r = await addEgressEntry(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, input });
    if (!r.ok) throw new TRPCError({ code: 'NOT_FOUND', message: r.error });
    return r.entry;
  }),

  remove: adminProcedure.input(egressEntryIdInput).mutation(async ({ ctx, input }) => {
    if (!(await removeEgressEntry(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, id: input.id }))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such allowlist entry.' });
    }
    return { id: input.id };
  }),
});
