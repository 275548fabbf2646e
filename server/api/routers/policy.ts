// The agent's policy: rules and team settings (admins change them; members read what applies
// to their session), and "test a command" through the same evaluation the agent gets.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { profileNameSchema } from '../../agent/profiles/spec.ts';
import { profileFor } from '../../agent/profiles/store.ts';
import {
  addRule, addRuleInput, deleteRule, getPolicySettings, listRules, policySettingsSchema, reorderRules, reorderRulesInput, ruleIdInput, rulesFor,
  setPolicySettings, teamWorkspaces, updateRule, updateRuleInput,
} from '../../agent/policy/rules-store.ts';
import { recentAnomalies } from '../../agent/policy/anomaly-limits.ts';
import { RULE_TOOLS } from '../../agent/policy/engine.ts';
import { explainCall } from '../../agent/policy/team-policy.ts';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { toApiError } from '../errors.ts';
import { adminProcedure, memberProcedure, router } from '../trpc.ts';

const scopeInput = z.object({ workspaceId: z.string().min(1).max(64).nullable().default(null) });

/** A command for run_command; otherwise the tool's own arguments. */
const testInput = scopeInput.extend({
  tool: z.enum(RULE_TOOLS).exclude(['*'], { message: 'Choose the tool to test' }),
  input: z.record(z.string().max(100), z.json()).refine((v) => JSON.stringify(v).length <= 20_000, 'Arguments too long (20,000 characters at most)'),
  /** Decide under this task profile too (its scope, then its rules with the team's). */
  profile: profileNameSchema.optional(),
});

export const policyRouter = router({
  rules: adminProcedure.input(scopeInput).query(({ ctx, input }) => listRules(ctx.db, ctx.principal.teamId, input.workspaceId)),

  /** What the rules editor offers: the tools a rule can name, and the team's workspaces as scopes. */
  options: adminProcedure.query(async ({ ctx }) => ({ tools: RULE_TOOLS, workspaces: await teamWorkspaces(ctx.db, ctx.principal.teamId) })),

  addRule: adminProcedure.input(addRuleInput).mutation(({ ctx, input }) =>
    addRule(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, rule: input }).catch(toApiError)),

  updateRule: adminProcedure.input(updateRuleInput).mutation(({ ctx, input }) =>
    updateRule(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, change: input }).catch(toApiError)),

  reorderRules: adminProcedure.input(reorderRulesInput).mutation(({ ctx, input }) =>
    reorderRules(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, order: input }).catch(toApiError)),

  deleteRule: adminProcedure.input(ruleIdInput).mutation(async ({ ctx, input }) => {
    await deleteRule(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, id: input.id }).catch(toApiError);
    return { id: input.id };
  }),

  settings: adminProcedure.query(({ ctx }) => getPolicySettings(ctx.db, ctx.principal.teamId)),

  setSettings: adminProcedure.input(policySettingsSchema).mutation(({ ctx, input }) =>
    setPolicySettings(ctx.db, { teamId: ctx.principal.teamId, actorId: ctx.principal.user.id, settings: input })),

  /** The decision, risk, reason and rule the agent would get for this call. A mutation: commands stay out of URLs. */
  test: adminProcedure.input(testInput).mutation(async ({ ctx, input }) => {
    const profile = input.profile ? await profileFor(ctx.db, ctx.principal.teamId, input.profile) : null;
    if (input.profile && !profile) throw new TRPCError({ code: 'NOT_FOUND', message: `The team has no task profile named ${input.profile}.` });
    return explainCall(ctx.db, ctx.principal.teamId, input.workspaceId, { tool: input.tool, input: input.input }, profile).catch(toApiError);
  }),

  /** Runs the anomaly limits paused lately, newest first. */
  anomalies: adminProcedure.query(({ ctx }) => recentAnomalies(ctx.db, ctx.principal.teamId)),

  /** What applies to a session the caller may use: the team's and its workspace's rules, and the settings. */
  forSession: memberProcedure.input(z.object({ sessionId: sessionIdSchema })).query(async ({ ctx, input }) => {
    const session = await ctx.sessions.get(ctx.principal, input.sessionId, 'read').catch(toApiError);
    const [rules, settings] = await Promise.all([rulesFor(ctx.db, session.teamId, session.workspaceId), getPolicySettings(ctx.db, session.teamId)]);
    return { rules, settings };
  }),
});
