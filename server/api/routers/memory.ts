// Memory in the browser: the session's items (and its workspace's) with provenance, people's
// changes to them (each one a memory.* event, through MemoryStore), the prompt report of every
// model call, and the session's events as JSON Lines for `context:build`.
import { z } from 'zod';
import { memoryKindSchema, memoryTextSchema } from '../../agent/context/types.ts';
import type { EventPayload } from '../../sessions/event-types.ts';
import { eventsAsJsonl } from '../../sessions/export.ts';
import { sessionIdSchema } from '../../sessions/schemas.ts';
import { toApiError } from '../errors.ts';
import { authorizeSession } from '../session-access.ts';
import { memberProcedure, router } from '../trpc.ts';

const inSession = z.object({ sessionId: sessionIdSchema });
const onItem = inSession.extend({ itemId: z.string().min(1).max(64) });
/** The store's own rule, with the words the panel shows; three characters say something. */
const itemText = memoryTextSchema.min(3, 'Write at least 3 characters').max(500, 'Keep it under 500 characters');
/** How much of a source event the panel shows beside an item. */
const EXCERPT_CHARS = 160;

export const memoryRouter = router({
  /** Live and closed items, each with the events it came from (type and an excerpt) for the timeline link. */
  list: memberProcedure.input(inSession).query(async ({ ctx, input }) => {
    await authorizeSession(ctx, input.sessionId, 'read');
    const items = await ctx.memory.list(input.sessionId, { includeClosed: true });
    const owners = await ctx.db.memoryItem.findMany({ where: { id: { in: items.map((i) => i.id) } }, select: { id: true, sessionId: true } });
    const ownerOf = new Map(owners.map((o) => [o.id, o.sessionId]));
    const seqs = [...new Set(items.filter((i) => ownerOf.get(i.id) === input.sessionId).flatMap((i) => i.sourceSeqs))];
    const sources = await ctx.db.event.findMany({ where: { sessionId: input.sessionId, seq: { in: seqs } }, select: { seq: true, type: true, payload: true } });
    const sourceOf = new Map(sources.map((e) => [e.seq, { seq: e.seq, type: e.type, excerpt: excerpt(e.payload) }]));
    return items.map((i) => {
      // A workspace item promoted from another session points at that session's events, not this timeline's.
      const here = ownerOf.get(i.id) === input.sessionId;
      return { ...i, fromOtherSession: !here, sources: here ? i.sourceSeqs.flatMap((s) => sourceOf.get(s) ?? []) : [] };
    });
  }),

  add: memberProcedure.input(inSession.extend({ kind: memoryKindSchema, text: itemText, pinned: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      await authorizeSession(ctx, input.sessionId, 'write');
      return ctx.memory.add(input.sessionId, { kind: input.kind, text: input.text, pinned: input.pinned }, actorOf(ctx)).catch(toApiError);
    }),

  edit: memberProcedure.input(onItem.extend({ text: itemText })).mutation(async ({ ctx, input }) => {
    await authorizeSession(ctx, input.sessionId, 'write');
    return ctx.memory.edit(input.sessionId, input.itemId, input.text, actorOf(ctx)).catch(toApiError);
  }),

  pin: memberProcedure.input(onItem.extend({ pinned: z.boolean() })).mutation(async ({ ctx, input }) => {
    await authorizeSession(ctx, input.sessionId, 'write');
    return ctx.memory.pin(input.sessionId, input.itemId, input.pinned, actorOf(ctx)).catch(toApiError);
  }),

  close: memberProcedure.input(onItem.extend({ reason: z.string().trim().min(1, 'Say why it no longer holds').max(200).default('closed by a person') }))
    .mutation(async ({ ctx, input }) => {
      await authorizeSession(ctx, input.sessionId, 'write');
      return ctx.memory.close(input.sessionId, input.itemId, input.reason, actorOf(ctx)).catch(toApiError);
    }),

  /** Durable across every session of this session's workspace. */
  promote: memberProcedure.input(onItem).mutation(async ({ ctx, input }) => {
    await authorizeSession(ctx, input.sessionId, 'write');
    return ctx.memory.promote(input.sessionId, input.itemId, actorOf(ctx)).catch(toApiError);
  }),

  /** One entry per model call: what its prompt held, and what was masked or dropped and why. */
  promptReports: memberProcedure.input(inSession).query(async ({ ctx, input }) => {
    await authorizeSession(ctx, input.sessionId, 'read');
    const rows = await ctx.db.event.findMany({ where: { sessionId: input.sessionId, type: 'agent.prompt.report' }, orderBy: { seq: 'asc' } });
    return rows.map((r) => ({ seq: r.seq, createdAt: r.createdAt.toISOString(), ...(r.payload as EventPayload<'agent.prompt.report'>) }));
  }),

  /** The session's events, one per line, as `context:build --events` reads them. */
  exportEvents: memberProcedure.input(inSession).query(async ({ ctx, input }) => {
    const session = await authorizeSession(ctx, input.sessionId, 'read');
    return { filename: `${slug(session.title)}-${input.sessionId}.events.jsonl`, jsonl: await eventsAsJsonl(ctx.db, input.sessionId) };
  }),
});

function actorOf(ctx: { principal: { user: { id: string } } }) {
  return { kind: 'user' as const, id: ctx.principal.user.id };
}

function excerpt(payload: unknown): string {
  const p = (payload ?? {}) as Record<string, unknown>;
  const text = [p.text, p.output, p.message, p.error].find((v): v is string => typeof v === 'string') ?? '';
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'session';
}
