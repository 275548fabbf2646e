// What a task profile is, as data: the scope one type of task runs in (tools, paths, commands),
// the rules it adds to the team's, the hosts it may reach, its model route and its limits.
// Everything here is validated by zod on every read and every write (server/agent/profiles/store.ts).
import { z } from 'zod';
import { routeIdSchema } from '../../models/routes.ts';
import { RULE_TOOLS } from '../policy/rules.ts';

export const PROFILE_NAME = /^[a-z][a-z0-9-]{0,39}$/;
export const profileNameSchema = z.string().trim().regex(PROFILE_NAME, 'a profile name is lower-case letters, digits and dashes (40 at most), starting with a letter');

const glob = z.string().trim().min(1).max(300)
  .refine((p) => !/[\0\n\r]/.test(p), 'a glob is one line of text')
  .refine((p) => { const b = p.replace(/^!/, ''); return !b.startsWith('/') && !b.split('/').includes('..'); }, 'path globs are relative to the workspace root, without ..');

/** A profile rule may only ask or deny: added to the team's rules, it can narrow them, never widen. */
export const profileRuleSchema = z.object({
  action: z.enum(['ask', 'deny']),
  tool: z.enum(RULE_TOOLS),
  pattern: z.string().trim().min(1).max(500).refine((p) => !/[\0\n\r]/.test(p), 'a pattern is one line of text'),
});

const hostSchema = z.string().trim().toLowerCase().regex(/^\*$|^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, 'a host name such as registry.npmjs.org or *.example.com, or * for every host the workspace allows');

export const profileSpecSchema = z.object({
  /** Tool names the model is offered; '*' offers every registered tool. */
  tools: z.array(z.string().trim().min(1).max(60)).max(50),
  /** Globs inside the workspace; a leading ! excludes. A path is in scope when a plain glob matches and no ! glob does. */
  paths: z.object({ read: z.array(glob).max(50), write: z.array(glob).max(50) }),
  /** Command globs (as run_command rules match one simple command); empty: any command. */
  commands: z.array(z.string().trim().min(1).max(300)).max(100),
  rules: z.array(profileRuleSchema).max(100),
  /** Hosts the agent's commands may reach through the egress allowlist (a subset of the workspace's); [] means none, ["*"] whatever the workspace allows. */
  network: z.object({ hosts: z.array(hostSchema).max(100) }),
  /** provider:model, primary first; empty: the team's configured routes. */
  route: z.object({ chain: z.array(routeIdSchema).max(10), extraction: z.array(routeIdSchema).max(10) }),
  limits: z.object({
    maxSteps: z.number().int().min(1).max(1000),
    /** Input plus output tokens the run may spend; null: no profile budget. */
    tokenBudget: z.number().int().min(1000).max(1e9).nullable(),
    /** Wall-clock seconds from the run's start; null: none. */
    wallClockSeconds: z.number().int().min(10).max(86_400).nullable(),
    /** Tokens one user, and the whole team, may spend under this profile per UTC day; null: no profile quota. */
    userDailyTokens: z.number().int().min(1000).max(1e10).nullable().default(null),
    teamDailyTokens: z.number().int().min(1000).max(1e11).nullable().default(null),
  }),
});
export type ProfileSpec = z.infer<typeof profileSpecSchema>;

export const profileInput = z.object({
  name: profileNameSchema,
  description: z.string().trim().max(500),
  spec: profileSpecSchema,
});
export type ProfileInput = z.infer<typeof profileInput>;

/** The profile a run carries: the spec as it was when the run started. */
export interface RunProfile { name: string; spec: ProfileSpec }
