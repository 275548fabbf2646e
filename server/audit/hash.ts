import { createHash } from 'node:crypto';
import { canonicalJson } from '../sessions/hash.ts';

export interface AuditHashedFields {
  teamId: string; seq: number; action: string; actorId: string | null; target: string | null;
  sessionId: string | null; detail: unknown; createdAt: string;
}

/** hash = sha256(prevHash ‖ canonical entry), the same construction as a session event's. */
export function auditEntryHash(prevHash: string, e: AuditHashedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(e)).digest('hex');
}
