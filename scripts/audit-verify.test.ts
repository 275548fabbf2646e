import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../test/support/db.ts';
import { recordAudit } from '../server/audit/team-audit.ts';
import { appendEvent } from '../server/sessions/events.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

/** Runs the real command the way an operator does, against the test database. */
async function auditVerify(t: TestDb, args: string[] = []) {
  const env = { ...process.env, DATABASE_URL: t.url, TETHER_LOG_LEVEL: 'silent' };
  try {
    const r = await run('npm', ['run', '--silent', 'audit:verify', '--', ...args], { cwd: root, env, timeout: 90_000 });
    return { code: 0, out: r.stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe.each(testProviders)('npm run audit:verify on %s', (provider) => {
  let t: TestDb;
  let teamId: string;
  let sessionId: string;
  beforeAll(async () => {
    t = await createTestDb(provider);
    const team = await t.db.team.create({ data: { name: 't' } });
    const user = await t.db.user.create({ data: { email: 'u@x.test', name: 'u' } });
    const s = await t.db.session.create({ data: { title: 's', teamId: team.id, ownerId: user.id } });
    for (let i = 1; i <= 4; i++) {
      await recordAudit(t.db, { teamId: team.id, actorId: user.id, action: 'user.role_changed', target: `u${i}`, detail: { role: 'admin' } });
      await appendEvent(t.db, s.id, { type: 'user.message', payload: { text: `m${i}` } }, { kind: 'user', id: user.id });
    }
    [teamId, sessionId] = [team.id, s.id];
  });
  afterAll(async () => { await t?.cleanup(); });

  it('passes an intact database, then names the edited team entry and the deleted session event', { timeout: 240_000 }, async () => {
    const ok = await auditVerify(t);
    expect(ok.out).toMatch(/2 chains, 8 records, 0 broken/);
    expect(ok.code).toBe(0);

    const entry = await t.db.auditEntry.findUniqueOrThrow({ where: { teamId_seq: { teamId, seq: 2 } } });
    await t.db.auditEntry.update({ where: { id: entry.id }, data: { detail: { role: 'member' } } });
    const third = await t.db.event.findUniqueOrThrow({ where: { sessionId_seq: { sessionId, seq: 3 } } });
    await t.db.event.delete({ where: { sessionId_seq: { sessionId, seq: 2 } } });

    const all = await auditVerify(t);
    expect(all.code).toBe(1);
    expect(all.out).toContain(`BROKEN  team ${teamId}: record 2 (id ${entry.id})`);
    expect(all.out).toContain(`BROKEN  session ${sessionId}: record 3 (id ${third.id}): event 2 is missing`);

    const one = await auditVerify(t, ['--session', sessionId]);
    expect(one.code).toBe(1);
    expect(one.out).not.toContain('team');
    expect(one.out).toMatch(/1 chains, 1 records, 1 broken/);
  });

  it('refuses an unknown option with a usage line and exit code 2', { timeout: 120_000 }, async () => {
    const r = await auditVerify(t, ['--bogus']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/usage: npm run audit:verify/);
  });
});
