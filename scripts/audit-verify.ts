// Entry point of `npm run audit:verify [-- --session ID] [-- --team ID]`: re-derives every team and
// session hash chain in the configured database (DATABASE_URL or the data dir, as the server does)
// and exits 1 naming the first broken record of each broken chain, 2 on bad usage or no database.
import { parseArgs } from 'node:util';
import { parseConfig } from '../server/config.ts';
import { createDb } from '../server/db/client.ts';
import { resolveDbTarget } from '../server/db/url.ts';
import { verifyAll, type ChainReport } from '../server/audit/verify.ts';

const USAGE = 'usage: npm run audit:verify [-- --session ID | --team ID] [--json]';

function describe(r: ChainReport): string {
  const name = r.chain === 'team' ? `team ${r.teamId}` : `session ${r.sessionId}`;
  if (!r.broken) return `ok      ${name}: ${r.records} records`;
  return `BROKEN  ${name}: record ${r.broken.seq}${r.broken.id ? ` (id ${r.broken.id})` : ''}: ${r.broken.reason}`;
}

let args;
try {
  args = parseArgs({ options: { session: { type: 'string' }, team: { type: 'string' }, json: { type: 'boolean' } }, strict: true }).values;
} catch (err) {
  process.stderr.write(`audit:verify: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}

const config = parseConfig();
const db = await createDb(resolveDbTarget(config.DATABASE_URL, config.dataDir));
try {
  const started = performance.now();
  const reports = await verifyAll(db, { sessionId: args.session, teamId: args.team });
  const broken = reports.filter((r) => r.broken);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ok: broken.length === 0, reports })}\n`);
  } else {
    for (const r of reports) if (r.broken || reports.length <= 50) process.stdout.write(`${describe(r)}\n`);
    const records = reports.reduce((n, r) => n + r.records, 0);
    process.stdout.write(`${reports.length} chains, ${records} records, ${broken.length} broken (${Math.round(performance.now() - started)} ms)\n`);
  }
  process.exitCode = broken.length ? 1 : 0;
} catch (err) {
  process.stderr.write(`audit:verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
