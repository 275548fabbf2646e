import { z } from 'zod';

export const sessionIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'invalid session id');
export const createSessionInput = z.object({ title: z.string().trim().min(1, 'Give the session a title').max(120) });
export const eventsAfterInput = z.object({ sessionId: sessionIdSchema, afterSeq: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(500) });
