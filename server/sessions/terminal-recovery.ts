// At start-up: terminals the event log shows open are looked for in their workspace's host, which
// outlives server processes. Found ones are followed again, with their scrollback (adopt). The
// rest (the host is gone: a reboot, a kill, its idle exit) are closed in the log with a reason,
// and kept in the terminal list as ended, so an open browser's tab says what happened instead of
// silently vanishing; replays and the audit trail show no ghost terminals. An adopted terminal's
// input control is where the log left it: its opener, or the last person who took over.
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { systemActor, type EventPayload } from './event-types.ts';
import type { EventStream } from './stream.ts';

export const LOST_TERMINAL_REASON = 'The terminal ended when the server restarted: its workspace host was no longer running.';

export async function recoverTerminals(o: {
  db: Db; events: EventStream; log: Logger;
  /** Follows the session's terminals its workspace host still has, each with its controller; returns the ids found. */
  adopt: (sessionId: string, terminalIds: string[], controllers: ReadonlyMap<string, string | null>) => Promise<string[]>;
  /** Keeps a terminal that did not survive in the list, ended with the reason. */
  markLost: (sessionId: string, terminalId: string, reason: string) => void;
}): Promise<{ adopted: number; closed: number }> {
  const rows = await o.db.event.findMany({
    where: { type: { in: ['terminal.opened', 'terminal.closed', 'terminal.control'] } },
    select: { sessionId: true, type: true, payload: true, actorId: true, actorKind: true },
    orderBy: [{ sessionId: 'asc' }, { seq: 'asc' }],
  });
  const open = new Map<string, Set<string>>();
  const controllers = new Map<string, string | null>();
  for (const r of rows) {
    const { terminalId } = r.payload as EventPayload<'terminal.closed'>;
    const ids = open.get(r.sessionId) ?? new Set<string>();
    open.set(r.sessionId, ids);
    if (r.type === 'terminal.opened') {
      ids.add(terminalId);
      controllers.set(terminalId, r.actorKind === 'user' ? r.actorId : null);
    } else if (r.type === 'terminal.control') {
      controllers.set(terminalId, (r.payload as EventPayload<'terminal.control'>).to);
    } else {
      ids.delete(terminalId);
    }
  }
  let adopted = 0;
  let closed = 0;
  for (const [sessionId, ids] of open) {
    if (ids.size === 0) continue;
    const found = new Set(await o.adopt(sessionId, [...ids], controllers).catch((err: unknown) => {
      o.log.warn({ err, sessionId }, 'could not reach the workspace host to recover terminals');
      return [];
    }));
    adopted += found.size;
    for (const terminalId of ids) {
      if (found.has(terminalId)) continue;
      await o.events.append(sessionId, { type: 'terminal.closed', payload: { terminalId, reason: LOST_TERMINAL_REASON } }, systemActor);
      o.markLost(sessionId, terminalId, LOST_TERMINAL_REASON);
      closed++;
    }
  }
  if (adopted) o.log.info({ adopted }, 'terminals of the last server process are followed again');
  if (closed) o.log.warn({ closed }, 'terminals the last process left open are gone and recorded as closed');
  return { adopted, closed };
}
