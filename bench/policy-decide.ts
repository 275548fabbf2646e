// What the server's policy costs per tool call: the stored rules and settings read for the call
// (session lookup, rules of the team and workspace, settings), the engine's evaluation and the
// anomaly limits — against the engine alone with the same rules already in memory. This is the
// price of reading rules fresh for every call instead of caching them.
//   node --import tsx bench/policy-decide.ts [calls=2000]
//   BENCH_DB=postgres TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test node --import tsx bench/policy-decide.ts
import pino from 'pino';
import { noApprovals, type PolicyCall } from '../server/agent/policy.ts';
import { evaluate } from '../server/agent/policy/engine.ts';
import { addRule, getPolicySettings, rulesFor, setPolicySettings, DEFAULT_POLICY_SETTINGS } from '../server/agent/policy/rules-store.ts';
import { teamPolicy } from '../server/agent/policy/team-policy.ts';
import { runCommand } from '../server/agent/tools/run-command.ts';
import type { AnyTool } from '../server/agent/tools/tool.ts';
import { createTestDb } from '../test/support/db.ts';

const CALLS = Number(process.argv[2] ?? 2000);
const TEAM_RULES = 50;
const WORKSPACE_RULES = 10;
const COMMANDS = ['npm test', 'git status && git diff', 'ls -la src', 'cat package.json | head -20', 'npm run build && npm test -- --run', 'rm -f build.log'];

const t = await createTestDb(process.env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite');
const team = await t.db.team.create({ data: { name: 'bench' } });
const user = await t.db.user.create({ data: { email: 'bench@x.test', name: 'bench' } });
const ws = await t.db.workspace.create({ data: { teamId: team.id, source: 'empty' } });
const session = await t.db.session.create({ data: { title: 'bench', teamId: team.id, ownerId: user.id, workspaceId: ws.id } });
for (let i = 0; i < TEAM_RULES; i++) {
  await addRule(t.db, { teamId: team.id, actorId: user.id, rule: { action: (['allow', 'ask', 'deny'] as const)[i % 3]!, tool: 'run_command', pattern: `tool${i} *` } });
}
for (let i = 0; i < WORKSPACE_RULES; i++) {
  await addRule(t.db, { teamId: team.id, actorId: user.id, rule: { action: 'allow', tool: 'run_command', pattern: `ws${i} *`, workspaceId: ws.id } });
}
// High enough that the benchmark's own deletes never pause anything.
await setPolicySettings(t.db, { teamId: team.id, actorId: user.id, settings: { ...DEFAULT_POLICY_SETTINGS, anomalyHighRisk: 1000, anomalyDenials: 100 } });

const { policy } = teamPolicy({ db: t.db, log: pino({ level: 'silent' }), approvals: noApprovals, pause: () => true });
const call = (i: number): PolicyCall => ({ sessionId: session.id, runId: 'bench', userId: user.id, tool: runCommand as AnyTool, input: { command: COMMANDS[i % COMMANDS.length] }, highRisk: null });
const rules = await rulesFor(t.db, team.id, ws.id);
const settings = await getPolicySettings(t.db, team.id);

async function measure(f: (i: number) => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 200; i++) await f(i);
  const ms: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const s = performance.now();
    await f(i);
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, p95: ms[Math.floor(ms.length * 0.95)]! };
}

const engineOnly = await measure((i) => evaluate({ tool: 'run_command', input: call(i).input }, rules, settings));
const server = await measure((i) => policy.decide(call(i)));
const fmt = (r: { median: number; p95: number }) => `${r.median.toFixed(3)} ms median, ${r.p95.toFixed(3)} ms p95`;
console.log(JSON.stringify({ db: t.target.provider, calls: CALLS, rules: rules.length, commands: COMMANDS.length }));
console.log(`engine alone (rules in memory): ${fmt(engineOnly)}`);
console.log(`server policy (rules read per call + anomaly limits): ${fmt(server)}`);
console.log(`stored-rules overhead: ${(server.median - engineOnly.median).toFixed(3)} ms per call (median)`);
await t.cleanup();
