// Who may do what in a coding session. The owner and the team's admins hold it; members added to
// it (SessionMember) are editors (work in the workspace like the owner) or viewers (read only).
// Running the session (rename, delete, members) stays with the owner and admins.
import { z } from 'zod';
import type { Principal } from '../auth/roles.ts';

export const memberRoleSchema = z.enum(['editor', 'viewer']);
export type MemberRole = z.infer<typeof memberRoleSchema>;
export type SessionRole = 'owner' | 'admin' | MemberRole;

/** What a call needs: to look (read), to work in the workspace (write), or to run the session (manage). */
export type SessionNeed = 'read' | 'write' | 'manage';

/** Not visible to the caller: unknown and foreign sessions answer the same, so nothing leaks. */
export class SessionAccessError extends Error {
  constructor() { super('You do not have access to this session.'); }
}

/** Visible, but the caller's role does not allow this (a viewer saving a file, an editor renaming). */
export class SessionRoleError extends Error {}

const allows: Record<SessionRole, ReadonlySet<SessionNeed>> = {
  owner: new Set(['read', 'write', 'manage']),
  admin: new Set(['read', 'write', 'manage']),
  editor: new Set(['read', 'write']),
  viewer: new Set(['read']),
};

/** The caller's role in a session, or null when they may not see it. `memberRole` is their SessionMember row's. */
export function sessionRoleOf(principal: Principal, session: { teamId: string; ownerId: string }, memberRole: string | null): SessionRole | null {
  if (session.teamId !== principal.teamId) return null;
  if (session.ownerId === principal.user.id) return 'owner';
  if (principal.role === 'admin') return 'admin';
  const member = memberRoleSchema.safeParse(memberRole);
  return member.success ? member.data : null;
}

export function roleAllows(role: SessionRole, need: SessionNeed): boolean {
  return allows[role].has(need);
}

/** What a viewer is told when they try to change something. */
export const VIEWER_REFUSAL = 'You are a viewer of this session: you can look, not change anything. Ask its owner to make you an editor.';

/** Throws the error the caller should see when `role` does not cover `need`. */
export function requireRole(role: SessionRole | null, need: SessionNeed): SessionRole {
  if (!role) throw new SessionAccessError();
  if (roleAllows(role, need)) return role;
  throw new SessionRoleError(need === 'manage' ? 'Only the session\'s owner or an admin can do that.' : VIEWER_REFUSAL);
}
