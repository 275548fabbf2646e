// A server restart leaves terminals running in their workspace hosts: at start-up the new process
// follows again each terminal the log shows open that its host still has, with its scrollback,
// and records the others (their host was gone) as closed, with a reason the browser shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../../test/support/db.ts';
import { eventsOf, payloadsOf, seedSession, silent } from '../../test/support/agent-harness.ts';
import { createLocalProvider, type LocalProvider } from '../workspace/local-provider.ts';
import type { Workspace, WorkspaceSpec } from '../workspace/provider.ts';
import { TerminalManager, type TerminalChunk } from '../workspace/terminals.ts';
import { tempProvider, TEST_LIMITS, uidBase } from '../workspace/testing.ts';
import { createLocalBus } from './bus.ts';
import type { EventPayload } from './event-types.ts';
import { createEventStream } from './stream.ts';
import { LOST_TERMINAL_REASON, recoverTerminals } from './terminal-recovery.ts';

let local: Awaited<ReturnType<typeof tempProvider>>;
const base = uidBase();

beforeAll(async () => { local = await tempProvider(); });
afterAll(async () => { await local.cleanup(); });

describe.each(testProviders)('terminal recovery on %s', (dbProvider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(dbProvider); });
  afterAll(async () => { await t?.cleanup(); });

  it('follows the terminals their hosts kept, and closes the others once, with a reason', async () => {
    const s = await seedSession(t);
    const other = await seedSession(t);
    const specs: Record<string, WorkspaceSpec> = {
      [s.sessionId]: { id: `rec-${dbProvider}-a`, source: { kind: 'empty' }, networkAllowed: false, uid: base + (dbProvider === 'sqlite' ? 0 : 2) },
      [other.sessionId]: { id: `rec-${dbProvider}-b`, source: { kind: 'empty' }, networkAllowed: false, uid: base + (dbProvider === 'sqlite' ? 1 : 3) },
    };
    const kept: Workspace = await local.provider.create(specs[s.sessionId]!);
    const killed: Workspace = await local.provider.create(specs[other.sessionId]!);
    const events = createEventStream(t.db, createLocalBus());
    const user = { kind: 'user' as const, id: s.userId };
    const open = async (m: TerminalManager, sessionId: string, ws: Workspace) => {
      const r = await m.open({ sessionId, workspace: ws, cols: 80, rows: 24 });
      if (!r.ok) throw new Error(r.message);
      await events.append(sessionId, { type: 'terminal.opened', payload: { terminalId: r.value.id, title: 'Terminal' } }, user);
      return r.value.id;
    };

    // The process that restarts: two real terminals, opened and recorded as the socket layer does.
    const before = new TerminalManager({ log: silent });
    const survivor = await open(before, s.sessionId, kept);
    const lost = await open(before, other.sessionId, killed);
    let screen = '';
    const a = await before.attach(survivor, null, { onData: (c) => { screen += c.data; } });
    if (!a.ok) throw new Error(a.message);
    before.write(survivor, 'echo kept-$((6*7))\r', s.userId);
    await expect.poll(() => screen, { timeout: 10_000 }).toContain('kept-42');
    // One the user closed: already settled.
    await events.append(s.sessionId, { type: 'terminal.opened', payload: { terminalId: 'closed-by-user', title: 'Terminal 2' } }, user);
    await events.append(s.sessionId, { type: 'terminal.closed', payload: { terminalId: 'closed-by-user', reason: 'closed by user' } }, user);
    // Input control moved to another person before the restart.
    await events.append(s.sessionId, { type: 'terminal.control', payload: { terminalId: survivor, from: s.userId, to: 'taker', toName: 'Tess Taker', message: 'Tess Taker took over Terminal 1.' } }, { kind: 'user', id: 'taker' });
    // The other workspace's host is gone by the time the server comes back (killed, a reboot).
    await killed.killAll();
    before.releaseAll();
    await local.provider.shutdown();

    const provider: LocalProvider = await createLocalProvider({ dataDir: local.dataDir, unsafeNoSandbox: false, limits: TEST_LIMITS, log: silent });
    const after = new TerminalManager({ log: silent });
    const recover = () => recoverTerminals({
      db: t.db, events, log: silent,
      adopt: async (sessionId, ids, controllers) => after.adopt(sessionId, await provider.open(specs[sessionId]!), ids, controllers),
      markLost: (sessionId, id, reason) => after.markLost(sessionId, id, reason),
    });
    try {
      expect(await recover()).toEqual({ adopted: 1, closed: 1 });
      const closed = payloadsOf<EventPayload<'terminal.closed'>>(await eventsOf(t, other.sessionId), 'terminal.closed');
      expect(closed).toEqual([{ terminalId: lost, reason: LOST_TERMINAL_REASON }]);
      expect(payloadsOf(await eventsOf(t, s.sessionId), 'terminal.closed')).toHaveLength(1);
      // The lost one is listed as ended, and attaching says why.
      expect(after.list(other.sessionId)).toMatchObject([{ id: lost, exit: { reason: LOST_TERMINAL_REASON } }]);
      expect(await after.attach(lost, null, { onData() {} })).toMatchObject({ ok: false, message: LOST_TERMINAL_REASON });
      // The survivor has its scrollback and takes input from the one who had control, only.
      const chunks: TerminalChunk[] = [];
      const again = await after.attach(survivor, null, { onData: (c) => chunks.push(c) });
      if (!again.ok) throw new Error(again.message);
      expect(chunks.map((c) => c.data).join('')).toContain('kept-42');
      expect(after.get(survivor)?.controller).toBe('taker');
      expect(after.write(survivor, 'echo refused\r', s.userId)).toMatchObject({ ok: false, error: 'NOT_IN_CONTROL' });
      after.write(survivor, 'echo again-$((7*6))\r', 'taker');
      await expect.poll(() => chunks.map((c) => c.data).join(''), { timeout: 10_000 }).toContain('again-42');
      // A second start-up finds nothing left to close (the log says the lost one is closed).
      after.releaseAll();
      expect(await recover()).toEqual({ adopted: 1, closed: 0 });
    } finally {
      after.closeSession(s.sessionId);
      after.closeSession(other.sessionId);
      await provider.shutdown();
    }
  });
});
