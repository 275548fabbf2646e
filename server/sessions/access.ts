import type { Principal } from '../auth/roles.ts';

export class SessionAccessError extends Error {
  constructor() { super('You do not have access to this session.'); }
}

/** A coding session is visible to its owner and to admins of its team; nobody else. */
export function canAccessSession(principal: Principal, session: { teamId: string; ownerId: string }): boolean {
  if (session.teamId !== principal.teamId) return false;
  return session.ownerId === principal.user.id || principal.role === 'admin';
}
