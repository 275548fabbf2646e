// A crash takes the terminals with it: at start-up the new process records each terminal the
// log still shows open as closed, with a reason, and leaves alone the ones it still has.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../../test/support/db.ts';
import { eventsOf, payloadsOf, seedSession, silent } from '../../test/support/agent-harness.ts';
import { TerminalManager } from '../workspace/terminals.ts';
import { tempProvider, uidBase } from '../workspace/testing.ts';
import type { LocalProvider } from '../workspace/local-provider.ts';
import type { Workspace } from '../workspace/provider.ts';
import { createLocalBus } from './bus.ts';
import type { EventPayload } from './event-types.ts';
import { createEventStream } from './stream.ts';
import { closeLostTerminals, LOST_TERMINAL_REASON } from './terminal-recovery.ts';

let local: { provider: LocalProvider; cleanup(): Promise<void> };
let ws: Workspace;

beforeAll(async () => {
  local = await tempProvider();
  ws = await local.provider.create({ id: 'term-recovery', source: { kind: 'empty' }, networkAllowed: false, uid: uidBase() });
});
afterAll(async () => { await local.cleanup(); });

describe.each(testProviders)('terminal recovery on %s', (dbProvider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(dbProvider); });
  afterAll(async () => { await t?.cleanup(); });

  it('closes terminals the log shows open that no longer exist, once, with a reason', async () => {
    const s = await seedSession(t);
    const other = await seedSession(t);
    const events = createEventStream(t.db, createLocalBus());
    const user = { kind: 'user' as const, id: s.userId };
    const open = (m: TerminalManager, sessionId: string) => {
      const r = m.open({ sessionId, workspace: ws, cols: 80, rows: 24 });
      if (!r.ok) throw new Error(r.message);
      return r.value.id;
    };

    // The process that "crashes": two real sandboxed terminals, opened and recorded as the socket layer does.
    const before = new TerminalManager({ log: silent });
    const lost = open(before, s.sessionId);
    const lostElsewhere = open(before, other.sessionId);
    await events.append(s.sessionId, { type: 'terminal.opened', payload: { terminalId: lost, title: 'Terminal 1' } }, user);
    await events.append(other.sessionId, { type: 'terminal.opened', payload: { terminalId: lostElsewhere, title: 'Terminal 1' } }, user);
    // One the user closed before the crash: already settled.
    await events.append(s.sessionId, { type: 'terminal.opened', payload: { terminalId: 'closed-by-user', title: 'Terminal 2' } }, user);
    await events.append(s.sessionId, { type: 'terminal.closed', payload: { terminalId: 'closed-by-user', reason: 'closed by user' } }, user);

    // The restarted process has none of them, except one it opened itself since.
    const after = new TerminalManager({ log: silent });
    const alive = open(after, s.sessionId);
    await events.append(s.sessionId, { type: 'terminal.opened', payload: { terminalId: alive, title: 'Terminal 3' } }, user);
    try {
      expect(await closeLostTerminals({ db: t.db, events, log: silent, exists: (id) => after.get(id) !== null })).toBe(2);
      const closed = payloadsOf<EventPayload<'terminal.closed'>>(await eventsOf(t, s.sessionId), 'terminal.closed');
      expect(closed).toEqual([
        { terminalId: 'closed-by-user', reason: 'closed by user' },
        { terminalId: lost, reason: LOST_TERMINAL_REASON },
      ]);
      const closedElsewhere = (await eventsOf(t, other.sessionId)).filter((e) => e.type === 'terminal.closed');
      expect(closedElsewhere.map((e) => [e.payload, e.actorKind])).toEqual([[{ terminalId: lostElsewhere, reason: LOST_TERMINAL_REASON }, 'system']]);
      // A second start-up finds nothing left to close.
      expect(await closeLostTerminals({ db: t.db, events, log: silent, exists: (id) => after.get(id) !== null })).toBe(0);
    } finally {
      before.closeAll();
      after.closeAll();
    }
  });
});
