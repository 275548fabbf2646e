// The vocabulary of the per-session event stream. Every wave adds kinds here; the browser's
// live view, share replay, audit and the context pipeline all read these same shapes.
import { z } from 'zod';

export const actorKindSchema = z.enum(['user', 'agent', 'system']);
export type ActorKind = z.infer<typeof actorKindSchema>;

export interface Actor { kind: ActorKind; id: string | null }
export const systemActor: Actor = { kind: 'system', id: null };

export const eventPayloadSchemas = {
  'session.created': z.object({ title: z.string() }),
  'session.stopped': z.object({ reason: z.string() }),
  'session.renamed': z.object({ title: z.string() }),
  'workspace.provisioning': z.object({ source: z.string(), detail: z.string().optional() }),
  'workspace.progress': z.object({ message: z.string() }),
  'workspace.ready': z.object({ source: z.string() }),
  'workspace.failed': z.object({ error: z.string() }),
  'terminal.opened': z.object({ terminalId: z.string(), title: z.string() }),
  'terminal.closed': z.object({ terminalId: z.string(), reason: z.string() }),
  'file.changed': z.object({ path: z.string(), change: z.enum(['created', 'modified', 'deleted', 'renamed']), to: z.string().optional() }),
  'user.message': z.object({ text: z.string() }),
  error: z.object({ message: z.string(), source: z.string().optional() }),
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
