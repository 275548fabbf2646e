// Sign-ins, good and bad, are team audit records. An unknown email belongs to no team: it goes
// into the chain of the installation's default team, where the admins look.
import type { Db } from '../db/client.ts';
import { DEFAULT_TEAM_ID } from '../auth/accounts.ts';
import { recordAudit } from './team-audit.ts';

export type SignInOutcome = 'ok' | 'wrong_credentials' | 'rate_limited';

export async function recordSignIn(db: Db, attempt: { email: string; address: string; outcome: SignInOutcome }): Promise<void> {
  const user = await db.user.findUnique({ where: { email: attempt.email }, select: { id: true, memberships: { select: { teamId: true }, orderBy: { createdAt: 'asc' }, take: 1 } } });
  const teamId = user?.memberships[0]?.teamId ?? DEFAULT_TEAM_ID;
  if (!(await db.team.findUnique({ where: { id: teamId }, select: { id: true } }))) return; // before setup: no team yet
  await recordAudit(db, {
    teamId,
    actorId: attempt.outcome === 'ok' ? user?.id ?? null : null,
    action: attempt.outcome === 'ok' ? 'auth.login' : 'auth.login_failed',
    target: attempt.email,
    detail: { address: attempt.address, ...(attempt.outcome === 'ok' ? {} : { reason: attempt.outcome, knownUser: Boolean(user) }) },
  });
}
