// Reads a session log as JSONL — one SessionEvent per line, in the app's own shape (seq, type,
// actorKind, actorId, payload, createdAt; ids and hashes optional) — checking each line with
// the event vocabulary's zod schemas, so a bad line is reported by number, not half-used.
import { z } from 'zod';
import { actorKindSchema, eventPayloadSchemas, type EventType, type SessionEvent } from '../../sessions/event-types.ts';

const lineSchema = z.object({
  id: z.string().optional(),
  sessionId: z.string().optional(),
  seq: z.number().int().positive(),
  type: z.enum(Object.keys(eventPayloadSchemas) as [EventType, ...EventType[]]),
  actorKind: actorKindSchema,
  actorId: z.string().nullable().optional(),
  payload: z.unknown(),
  createdAt: z.string(),
  prevHash: z.string().optional(),
  hash: z.string().optional(),
});

export class SessionLogError extends Error {}

export function parseSessionLog(jsonl: string): SessionEvent[] {
  const events: SessionEvent[] = [];
  jsonl.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    const where = `line ${i + 1}`;
    let json: unknown;
    try { json = JSON.parse(raw); } catch (err) { throw new SessionLogError(`${where}: not JSON (${(err as Error).message})`); }
    const line = lineSchema.safeParse(json);
    if (!line.success) throw new SessionLogError(`${where}: ${issues(line.error)}`);
    const payload = eventPayloadSchemas[line.data.type].safeParse(line.data.payload);
    if (!payload.success) throw new SessionLogError(`${where}: payload of ${line.data.type}: ${issues(payload.error)}`);
    const prev = events.at(-1);
    if (prev && line.data.seq <= prev.seq) throw new SessionLogError(`${where}: seq ${line.data.seq} does not follow ${prev.seq}`);
    events.push({
      id: line.data.id ?? `seq-${line.data.seq}`, sessionId: line.data.sessionId ?? '', seq: line.data.seq, type: line.data.type, payload: payload.data,
      actorKind: line.data.actorKind, actorId: line.data.actorId ?? null, createdAt: line.data.createdAt, prevHash: line.data.prevHash ?? '', hash: line.data.hash ?? '',
    });
  });
  return events;
}

const issues = (e: z.ZodError) => e.issues.map((x) => `${x.path.join('.') || '(line)'} ${x.message}`).join('; ');
