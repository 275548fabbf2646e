// The audit view and verification at scale: 100,000 records (50,000 team entries, 50,000 events in
// 10 sessions), every one hash-chained as the server writes them. Times the first page, pages deep
// into the list, filtered pages, a walk over every page (checking each record is seen exactly
// once), and verification per 10,000 records.
//   node --import tsx bench/audit.ts
//   BENCH_DB=postgres TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test node --import tsx bench/audit.ts
import { createTestDb } from '../test/support/db.ts';
import { auditEntryHash } from '../server/audit/hash.ts';
import { eventHash } from '../server/sessions/hash.ts';
import { listAudit, type AuditQuery } from '../server/audit/view.ts';
import { verifySessionChain, verifyTeamChain } from '../server/audit/verify.ts';

const TEAM_ENTRIES = 50_000;
const SESSIONS = 10;
const EVENTS_PER_SESSION = 5_000;
const CHUNK = 2_000;

const t = await createTestDb(process.env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite');
const db = t.db;
try {
  const team = await db.team.create({ data: { name: 'bench' } });
  const user = await db.user.create({ data: { email: 'bench@x.test', name: 'b' } });
  const start = Date.parse('2026-01-01T00:00:00Z');
  const seedStart = performance.now();

  let prev = '';
  let rows = [];
  for (let seq = 1; seq <= TEAM_ENTRIES; seq++) {
    const f = { teamId: team.id, seq, action: seq % 4 ? 'egress.attempt' : 'user.role_changed', actorId: seq % 2 ? user.id : null, target: `t${seq}`, sessionId: null,
      detail: { host: `h${seq}.test`, decision: seq % 3 ? 'allow' : 'deny', risk: seq % 10 ? 'low' : 'high' }, createdAt: new Date(start + seq * 1000) };
    const hash = auditEntryHash(prev, { ...f, createdAt: f.createdAt.toISOString() });
    rows.push({ ...f, prevHash: prev, hash });
    prev = hash;
    if (rows.length === CHUNK) { await db.auditEntry.createMany({ data: rows }); rows = []; }
  }
  if (rows.length) await db.auditEntry.createMany({ data: rows });
  await db.team.update({ where: { id: team.id }, data: { auditSeq: TEAM_ENTRIES, auditHash: prev } });

  const sessionIds: string[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const session = await db.session.create({ data: { title: `s${s}`, teamId: team.id, ownerId: user.id } });
    sessionIds.push(session.id);
    let p = '';
    let batch = [];
    for (let seq = 1; seq <= EVENTS_PER_SESSION; seq++) {
      const createdAt = new Date(start + (seq * SESSIONS + s) * 1000);
      const payload = seq % 2 ? { command: `npm test -- ${seq}`, cwd: '/workspace', exitCode: 0, terminalId: 't1' } : { runId: 'r', callId: `c${seq}`, decision: 'allow', reason: 'rule', by: 'rule-1', risk: seq % 20 ? 'medium' : 'high' };
      const f = { sessionId: session.id, seq, type: seq % 2 ? 'terminal.command' : 'agent.policy.decision', actorKind: 'user', actorId: user.id, payload, createdAt: createdAt.toISOString() };
      const hash = eventHash(p, f);
      batch.push({ ...f, createdAt, prevHash: p, hash });
      p = hash;
      if (batch.length === CHUNK) { await db.event.createMany({ data: batch }); batch = []; }
    }
    if (batch.length) await db.event.createMany({ data: batch });
    await db.session.update({ where: { id: session.id }, data: { lastSeq: EVENTS_PER_SESSION, lastHash: p } });
  }
  console.log(`seeded 100,000 records in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (${t.target.provider})`);

  const time = async (q: AuditQuery, runs = 11) => {
    const ms: number[] = [];
    let items = 0;
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      items = (await listAudit(db, team.id, q)).items.length;
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    return `${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms median, ${ms.at(-1)!.toFixed(1)} ms max (${items} items)`;
  };

  console.log(`first page (50):                    ${await time({ limit: 50 })}`);
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) cursor = (await listAudit(db, team.id, { limit: 50, cursor })).nextCursor ?? undefined;
  console.log(`page 1,001 (50, keyset):            ${await time({ limit: 50, cursor })}`);
  console.log(`kind filter terminal.command:       ${await time({ limit: 50, kind: 'terminal.command' })}`);
  console.log(`session + user filter:              ${await time({ limit: 50, sessionId: sessionIds[3], userId: user.id })}`);
  console.log(`risk=high (filtered after reading): ${await time({ limit: 50, risk: 'high' })}`);

  const walkStart = performance.now();
  const seen = new Set<string>();
  let pages = 0;
  cursor = undefined;
  do {
    const page = await listAudit(db, team.id, { limit: 1000, cursor });
    for (const item of page.items) seen.add(`${item.source}:${item.id}`);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  if (seen.size !== 100_000) throw new Error(`the walk saw ${seen.size} distinct records, not 100,000`);
  console.log(`walk of all 100,000 in ${pages} pages of 1,000: ${((performance.now() - walkStart) / 1000).toFixed(1)} s, each record once`);

  let s = performance.now();
  const teamReport = await verifyTeamChain(db, team.id);
  const teamMs = performance.now() - s;
  s = performance.now();
  for (const id of sessionIds) if ((await verifySessionChain(db, id)).broken) throw new Error(`session ${id} did not verify`);
  const sessionMs = performance.now() - s;
  if (teamReport.broken) throw new Error('team chain did not verify');
  console.log(`verify team chain: ${(teamMs / 5).toFixed(0)} ms per 10,000 entries; session chains: ${(sessionMs / 5).toFixed(0)} ms per 10,000 events`);
} finally {
  await t.cleanup();
}
