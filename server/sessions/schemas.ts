import { z } from 'zod';

export const sessionIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'invalid session id');

/** A git remote (https, ssh, git) or an absolute path to a repository on the server. */
const gitSource = z.string().trim().min(1, 'Enter a repository URL or path').max(2000).refine(
  (s) => /^(https?|ssh|git):\/\/[^\s]+$/.test(s) || /^[\w.-]+@[\w.-]+:[^\s]+$/.test(s) || /^\/[^\0]*$/.test(s),
  'Use an https://, ssh:// or git:// URL, user@host:path, or an absolute path on the server',
);

export const workspaceSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('empty') }),
  z.object({ kind: z.literal('template'), template: z.string().regex(/^[a-z0-9-]+$/, 'unknown template').max(64) }),
  z.object({ kind: z.literal('git'), url: gitSource }),
]);

export const sessionTitleSchema = z.string().trim().min(1, 'Give the session a title').max(120, 'Use at most 120 characters');

export const createSessionInput = z.object({
  title: sessionTitleSchema,
  source: workspaceSourceSchema.default({ kind: 'empty' }),
});
export const eventsAfterInput = z.object({ sessionId: sessionIdSchema, afterSeq: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(500) });
