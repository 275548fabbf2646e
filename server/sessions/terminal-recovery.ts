// At start-up: terminals the event log shows open but that no longer exist (a crash or kill -9
// ended them, and their processes with the sandbox) are closed in the log with a reason, so the
// IDE, share replays and the audit trail show no ghost terminals.
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { systemActor, type EventPayload } from './event-types.ts';
import type { EventStream } from './stream.ts';

export const LOST_TERMINAL_REASON = 'The server stopped; the terminal and its processes ended with it.';

export async function closeLostTerminals(o: {
  db: Db; events: EventStream; log: Logger;
  /** Whether this process still has the terminal (a future pty host may keep them across restarts). */
  exists: (terminalId: string) => boolean;
}): Promise<number> {
  const rows = await o.db.event.findMany({
    where: { type: { in: ['terminal.opened', 'terminal.closed'] } },
    select: { sessionId: true, type: true, payload: true },
    orderBy: [{ sessionId: 'asc' }, { seq: 'asc' }],
  });
  const open = new Map<string, string>();
  for (const r of rows) {
    const { terminalId } = r.payload as EventPayload<'terminal.closed'>;
    if (r.type === 'terminal.opened') open.set(terminalId, r.sessionId);
    else open.delete(terminalId);
  }
  let closed = 0;
  for (const [terminalId, sessionId] of open) {
    if (o.exists(terminalId)) continue;
    await o.events.append(sessionId, { type: 'terminal.closed', payload: { terminalId, reason: LOST_TERMINAL_REASON } }, systemActor);
    closed++;
  }
  if (closed) o.log.warn({ closed }, 'terminals the last process left open are recorded as closed');
  return closed;
}
