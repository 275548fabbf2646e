import { z } from 'zod';

export const roleSchema = z.enum(['admin', 'member']);
export type Role = z.infer<typeof roleSchema>;

/** Who is calling: resolved once per request / socket from the session cookie. */
export interface Principal {
  user: { id: string; email: string; name: string };
  teamId: string;
  role: Role;
  authSessionId: string;
}
