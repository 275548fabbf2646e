// The vocabulary of the per-session event stream. Every wave adds kinds here; the browser's
// live view, share replay, audit and the context pipeline all read these same shapes.
import { z } from 'zod';

export const actorKindSchema = z.enum(['user', 'agent', 'system']);
export type ActorKind = z.infer<typeof actorKindSchema>;

export interface Actor { kind: ActorKind; id: string | null }
export const systemActor: Actor = { kind: 'system', id: null };

const reportEntrySchema = z.object({ ref: z.string(), tokens: z.number().int(), reason: z.string() });
/** What one prompt held (server/agent/context/prompt.ts): tokens per section; what was kept, masked, dropped and why. */
export const promptReportSchema = z.object({
  budgetTokens: z.number().int(),
  totalTokens: z.number().int(),
  sections: z.array(z.object({ name: z.string(), tokens: z.number().int() })),
  included: z.array(reportEntrySchema),
  masked: z.array(reportEntrySchema),
  dropped: z.array(reportEntrySchema),
});

export const eventPayloadSchemas = {
  'session.created': z.object({ title: z.string() }),
  'session.stopped': z.object({ reason: z.string() }),
  'session.renamed': z.object({ title: z.string() }),
  /** A stopped session was started again; its workspace's files were kept while it was stopped. */
  'session.restarted': z.object({}),
  /** The session was deleted: hidden everywhere but the audit, its workspace's files removed. */
  'session.deleted': z.object({}),
  /** The owner or an admin added someone to the session, changed their role (`from` the old one) or removed them. */
  'session.member.added': z.object({ userId: z.string(), name: z.string(), role: z.enum(['editor', 'viewer']) }),
  'session.member.changed': z.object({ userId: z.string(), name: z.string(), role: z.enum(['editor', 'viewer']), from: z.enum(['editor', 'viewer']) }),
  'session.member.removed': z.object({ userId: z.string(), name: z.string() }),
  'workspace.provisioning': z.object({ source: z.string(), detail: z.string().optional() }),
  'workspace.progress': z.object({ message: z.string() }),
  'workspace.ready': z.object({ source: z.string() }),
  'workspace.failed': z.object({ error: z.string() }),
  /** The instance that ran the workspace stopped answering; another took it over (its terminals and runs ended there). */
  'workspace.moved': z.object({ from: z.string(), to: z.string() }),
  /** An admin allowed or removed network access for the workspace's new processes. */
  'workspace.network': z.object({ allowed: z.boolean() }),
  /**
   * A workspace process tried to reach a host through the egress proxy (server/workspace/egress/).
   * method CONNECT: a tunnel (path not seen). by: "allowlist:<entry>", "egress:address", "user:<id>", "timeout" …
   */
  'workspace.egress': z.object({
    host: z.string(), port: z.number().int(), method: z.string(), path: z.string().nullable(),
    allowed: z.boolean(), by: z.string(), reason: z.string(),
  }),
  /** The workspace's disk quota became used up (full) or has room again; message is for people. */
  'workspace.disk': z.object({
    full: z.boolean(), usedBytes: z.number(), quotaBytes: z.number(), enforcement: z.enum(['image', 'watchdog']), message: z.string(),
  }),
  'terminal.opened': z.object({ terminalId: z.string(), title: z.string() }),
  'terminal.closed': z.object({ terminalId: z.string(), reason: z.string() }),
  /**
   * Input control of a terminal moved (issue 13): from the user who had it (null: nobody) to the one
   * who took over, the event's actor (toName: their name then). message: the same in words, for timelines.
   */
  'terminal.control': z.object({ terminalId: z.string(), from: z.string().nullable(), to: z.string(), toName: z.string(), message: z.string() }),
  /** A command line a person ran in a terminal, as the shell reported it (server/workspace/shell-integration.ts). */
  'terminal.command': z.object({ terminalId: z.string(), command: z.string(), cwd: z.string().nullable(), exitCode: z.number().int().nullable() }),
  'file.changed': z.object({ path: z.string(), change: z.enum(['created', 'modified', 'deleted', 'renamed']), to: z.string().optional() }),
  'user.message': z.object({ text: z.string() }),
  /**
   * A push from the git panel (server/git/push.ts): requested (waiting for approval), then pushed,
   * failed or denied. by: the rule, classifier or person (user id) that decided.
   */
  /** A person changed the repository from the git panel (push has its own kind, through the policy gate). */
  'git.changed': z.object({ action: z.enum(['init', 'stage', 'unstage', 'commit', 'switch', 'pull']), detail: z.string() }),
  'git.push': z.object({
    remote: z.string(), branch: z.string(), status: z.enum(['waiting', 'pushed', 'failed', 'denied']),
    by: z.string(), reason: z.string(), output: z.string().optional(),
  }),
  error: z.object({ message: z.string(), source: z.string().optional() }),
  /** A release check of the workspace (server/release/): what would ship and what is wrong with it. problems is capped; problemCount is all. */
  'release.checked': z.object({
    source: z.string(), dir: z.string().nullable(), fileCount: z.number().int(), allowlistFrom: z.string().nullable(),
    problems: z.array(z.object({ path: z.string(), problem: z.string() })), problemCount: z.number().int(),
  }),

  // The agent (server/agent/). A run answers one user message; the model sees a projection of these.
  'agent.run.queued': z.object({ runId: z.string(), text: z.string() }),
  /** text is the user's message: the run's first turn in the model's prompt. */
  /** profile: the task profile the run is under (absent for runs from before profiles). */
  'agent.run.started': z.object({ runId: z.string(), text: z.string(), profile: z.string().optional() }),
  'agent.run.resumed': z.object({ runId: z.string(), fromStep: z.number().int() }),
  /** The server stopped mid-run; lastStep is the last step whose every event was recorded. */
  'agent.run.interrupted': z.object({ runId: z.string(), lastStep: z.number().int() }),
  /** An anomaly limit paused the run; a person may resume it. Admins see it in the team audit. */
  'agent.run.paused': z.object({
    runId: z.string(), lastStep: z.number().int(), reason: z.string(),
    anomaly: z.object({ kind: z.enum(['high_risk', 'denials']), count: z.number().int(), limit: z.number().int(), windowSeconds: z.number().int().nullable() }),
  }),
  'agent.run.ended': z.object({
    runId: z.string(),
    outcome: z.enum(['completed', 'stopped', 'step_limit', 'budget', 'quota', 'not_configured', 'error']),
    steps: z.number().int(),
    message: z.string().optional(),
  }),
  /** One model reply, its streamed deltas folded together. */
  'agent.message': z.object({ runId: z.string(), step: z.number().int(), text: z.string(), route: z.string() }),
  'agent.tool.requested': z.object({
    runId: z.string(), step: z.number().int(), callId: z.string(), tool: z.string(), input: z.json(),
    effect: z.enum(['read', 'write', 'exec', 'vcs', 'network']).optional(),
    highRisk: z.string().optional(),
  }),
  /** by: what decided — a rule id, a classifier, "default", or a person's user id. */
  /** risk, rule, commands: what the policy engine classified, which rule (if any) decided, the parsed commands. */
  'agent.policy.decision': z.object({
    runId: z.string(), callId: z.string(), decision: z.enum(['allow', 'ask', 'deny']), reason: z.string(), by: z.string(),
    risk: z.enum(['low', 'medium', 'high']).optional(), rule: z.string().nullable().optional(), commands: z.array(z.array(z.string())).optional(),
    protectedPath: z.boolean().optional(),
  }),
  /** output: what the model read (the error text when ok is false); detail: for the tool card. */
  'agent.tool.result': z.object({
    runId: z.string(), callId: z.string(), tool: z.string(), ok: z.boolean(), output: z.string(),
    detail: z.record(z.string(), z.json()).optional(), durationMs: z.number().int(),
  }),
  /** A call waits for a person (server/agent/approvals/). requestedBy: whose message started the run. */
  'agent.approval.requested': z.object({
    approvalId: z.string(), runId: z.string(), callId: z.string(), tool: z.string(),
    risk: z.enum(['low', 'medium', 'high']), reason: z.string(), rule: z.string().nullable(),
    requestedBy: z.string().nullable(), expiresAt: z.string(),
  }),
  /** by: the deciding user's id; null when it expired or the run was stopped. reason: what the model is told. */
  'agent.approval.decided': z.object({
    approvalId: z.string(), runId: z.string(), callId: z.string(),
    outcome: z.enum(['approved', 'denied', 'expired', 'cancelled']), by: z.string().nullable(), reason: z.string(),
  }),
  'agent.checkpoint': z.object({ runId: z.string(), step: z.number().int(), callId: z.string(), checkpointId: z.string(), label: z.string(), durationMs: z.number().int() }),
  'agent.rewind': z.object({ checkpointId: z.string(), label: z.string() }),
  /** A model route failed before its first token and the next one answered: the transcript says so. */
  'agent.model.failover': z.object({ runId: z.string(), step: z.number().int(), to: z.string(), failed: z.array(z.object({ route: z.string(), error: z.string() })).min(1) }),
  'agent.usage': z.object({ runId: z.string(), step: z.number().int(), route: z.string(), inputTokens: z.number().int(), outputTokens: z.number().int(), costUsd: z.number() }),
  /** What one model call's prompt held, and what was masked or dropped and why (the prompt inspector). */
  'agent.prompt.report': z.object({
    runId: z.string(), step: z.number().int(), report: promptReportSchema,
    /** Where the prompt budget came from: the smallest context window among the routes, less the reply and the tool schemas. */
    budget: z.object({ route: z.string().nullable(), contextTokens: z.number().int(), replyTokens: z.number().int(), toolSchemaTokens: z.number().int() }).optional(),
  }),

  /** A reviewer's comment (server/share/comments.ts) on event eventSeq, or on one line of its diff. author: the name they gave. */
  'comment.added': z.object({ commentId: z.string(), eventSeq: z.number().int(), diffLine: z.number().int().nullable(), text: z.string(), author: z.string(), via: z.enum(['share', 'member']) }),

  // Memory (server/agent/context/): every change to a MemoryItem, so memory is audited and replayable.
  'memory.added': z.object({
    itemId: z.string(), kind: z.string(), text: z.string(), pinned: z.boolean(), scope: z.enum(['session', 'workspace']),
    origin: z.enum(['rule', 'model', 'user']), confidence: z.number(), sourceSeqs: z.array(z.number().int()),
  }),
  'memory.edited': z.object({ itemId: z.string(), text: z.string(), version: z.number().int() }),
  'memory.pinned': z.object({ itemId: z.string(), pinned: z.boolean() }),
  /** supersededBy: the item that replaced this one, when a later statement did. */
  'memory.closed': z.object({ itemId: z.string(), reason: z.string(), supersededBy: z.string().optional() }),
  'memory.promoted': z.object({ itemId: z.string(), workspaceId: z.string() }),
} as const;

export type EventType = keyof typeof eventPayloadSchemas;
export type EventPayload<T extends EventType> = z.infer<(typeof eventPayloadSchemas)[T]>;

/** What appendEvent takes: a type and its payload, checked against the schema above. */
export type NewEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType];

/** A stored event as every reader (browser, replay, audit, context) sees it. */
export interface SessionEvent {
  id: string;
  sessionId: string;
  seq: number;
  type: EventType;
  payload: unknown;
  actorKind: ActorKind;
  actorId: string | null;
  createdAt: string;
  prevHash: string;
  hash: string;
}
