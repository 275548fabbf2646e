// What an admin may send about a secret. Values are write-only: no schema returns one.
import { z } from 'zod';
import { MIN_SECRET_LENGTH } from './mask.ts';

export const MAX_SECRET_BYTES = 8 * 1024;
/** Names the sandbox depends on; a secret must not replace them. */
const RESERVED_ENV = new Set(['PATH', 'HOME', 'SHELL', 'TERM', 'USER', 'LANG', 'PWD', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'BASH_ENV', 'ENV', 'NODE_OPTIONS', 'PS1']);

export const workspaceIdSchema = z.string().min(1).max(64);
export const secretNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'Use letters, digits, "_", "." or "-" (64 at most), starting with a letter');
const secretValueSchema = z.string().min(MIN_SECRET_LENGTH, `A secret has at least ${MIN_SECRET_LENGTH} characters (shorter ones cannot be masked safely)`)
  .refine((v) => Buffer.byteLength(v) <= MAX_SECRET_BYTES, `A secret has at most ${MAX_SECRET_BYTES} bytes`);
/** A host name, or "*.domain" for its subdomains; matched case-insensitively, without a port. */
export const secretHostSchema = z.string().trim().toLowerCase()
  .regex(/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'Expected a host name such as registry.npmjs.org or *.example.com');
const envNameSchema = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'Use an upper-case environment variable name such as NPM_TOKEN')
  .refine((n) => !RESERVED_ENV.has(n), 'That variable is reserved by the sandbox');

export const addSecretInput = z.object({
  workspaceId: workspaceIdSchema,
  name: secretNameSchema,
  value: secretValueSchema,
  hosts: z.array(secretHostSchema).max(20).default([]),
  headerName: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'Expected an HTTP header name').default('Authorization'),
  headerTemplate: z.string().max(200).refine((t) => t.includes('{secret}'), 'The header value must contain {secret}').default('Bearer {secret}'),
  /** Null: the secret never enters the sandbox. */
  exposeAsEnv: envNameSchema.nullable().default(null),
});
export type AddSecretInput = z.output<typeof addSecretInput>;

export const secretRefInput = z.object({ workspaceId: workspaceIdSchema, name: secretNameSchema });
export const rotateSecretInput = secretRefInput.extend({ value: secretValueSchema });
export const listSecretsInput = z.object({ workspaceId: workspaceIdSchema });
