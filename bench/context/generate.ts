// A seeded generator of long agent sessions, in the app's own SessionEvent shapes: user
// messages, tool calls with large outputs (file reads, edits, test runs), agent replies and
// distractor chatter, with goals, constraints and decisions planted at known turns, later
// supersessions of some, a few pinned by a person, and finished tasks.
//
//   node --import tsx bench/context/generate.ts --turns 200 --seed 1            planted facts (JSON)
//   node --import tsx bench/context/generate.ts --turns 200 --seed 1 --out s.jsonl   also the log
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SessionLog } from '../../test/support/session-log.ts';
import type { SessionEvent } from '../../server/sessions/event-types.ts';

export interface PlantedFact {
  id: string;
  kind: 'goal' | 'constraint' | 'decision';
  text: string;
  turn: number;
  seq: number;
  pinned: boolean;
  /** The fact that replaced this one, if any. */
  supersededBy: string | null;
}

export interface FinishedTask { task: string; turn: number; seq: number }

export interface GeneratedSession {
  events: SessionEvent[];
  facts: PlantedFact[];
  tasks: FinishedTask[];
  /** Statements a person would call a rule but that carry no marker the rules know: reported apart. */
  implicit: { text: string; turn: number }[];
}

/** mulberry32: small, fast, and the same numbers on every machine. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const AREAS = ['billing', 'search', 'auth', 'exports', 'scheduler', 'notifications', 'reports', 'uploads', 'audit', 'onboarding', 'settings', 'webhooks'];
const VERBS = ['parse', 'render', 'load', 'save', 'merge', 'validate', 'format', 'resolve', 'queue', 'retry'];
const NOUNS = ['invoice', 'token', 'record', 'batch', 'schema', 'cursor', 'session', 'payload', 'report', 'filter'];
/** Choices of one kind, for decisions and their supersessions (purpose-specific). */
const CHOICES: [string, string[]][] = [
  ['the main database', ['Postgres', 'SQLite', 'MySQL']],
  ['package management', ['pnpm', 'npm', 'yarn']],
  ['unit tests', ['vitest', 'jest', 'mocha']],
  ['structured logging', ['pino', 'winston', 'bunyan']],
  ['date handling', ['date-fns', 'dayjs', 'luxon']],
  ['the HTTP layer', ['fastify', 'express', 'hono']],
  ['bundling the client', ['vite', 'esbuild', 'webpack']],
  ['the query layer', ['drizzle', 'prisma', 'knex']],
];
const CHATTER = ['Thanks, that looks good.', 'Hmm, interesting.', 'Can you explain what the {area} code does?', 'What was the reason for that change in {area}?', 'OK, carry on.', 'Nice. How long do the tests take now?', 'I am back from lunch.', 'Give me a quick summary of the {area} module.'];
const AGENT_CHATTER = ['Done. The {area} module now reads more clearly; you should always double-check the diff.', 'I looked at it: the {area} code must stay backwards compatible, so I kept the signature.', 'Here is a summary: the {area} module loads, validates and saves records.'];

function code(r: ReturnType<typeof rng>, area: string, lines: number): string {
  const out: string[] = [`// ${area} module`, `import { db } from '../db';`, ''];
  while (out.length < lines) {
    const fn = `${r.pick(VERBS)}${r.pick(NOUNS)[0]!.toUpperCase()}${r.pick(NOUNS).slice(1)}${r.int(100)}`;
    out.push(`export async function ${fn}(input, options = {}) {`, `  const rows = await db.${area}.findMany({ where: { id: input.id, kind: '${r.pick(NOUNS)}' } });`, `  if (!rows.length) throw new Error('no ${r.pick(NOUNS)} for ' + input.id);`, `  return rows.map((row) => ({ ...row, total: row.amount * ${r.int(90) + 10} / 100 }));`, '}', '');
  }
  return out.slice(0, lines).map((l, i) => `${String(i + 1).padStart(4)}\t${l}`).join('\n');
}

function testOutput(r: ReturnType<typeof rng>, area: string, passed: boolean, failing: string): string {
  const lines = [` RUN  v3.2.4 /workspace`, ''];
  for (let i = 0; i < 12; i++) lines.push(` ✓ src/${area}/${r.pick(VERBS)}.test.ts > ${r.pick(VERBS)}s a ${r.pick(NOUNS)} ${r.int(40)}ms`);
  if (!passed) lines.push(` FAIL  ${failing}`, `AssertionError: expected ${r.int(100)} to be ${r.int(100)}`);
  lines.push('', ` Test Files  ${passed ? '12 passed' : '1 failed | 11 passed'} (12)`, `      Tests  ${passed ? '96 passed' : '1 failed | 95 passed'} (96)`);
  return [`${passed ? 'PASSED' : 'FAILED'}: npm test`, ...lines, `exit code ${passed ? 0 : 1}`].join('\n');
}

export function generateSession(turns: number, seed: number): GeneratedSession {
  const r = rng(seed);
  const log = new SessionLog();
  const facts: PlantedFact[] = [];
  const tasks: FinishedTask[] = [];
  const implicit: GeneratedSession['implicit'] = [];

  // What is planted where: a fixed number of facts spread over the session (a long session has
  // more history, not dozens more rules), a third of the decisions and constraints superseded later.
  const plan = new Map<number, () => PlantedFact>();
  const slot = (from: number, to: number) => {
    for (let tries = 0; tries < 1000; tries++) {
      const t = from + r.int(Math.max(1, to - from));
      if (!plan.has(t) && t >= 1 && t <= turns) return t;
    }
    throw new Error('no free turn');
  };
  let n = 0;
  const plant = (kind: PlantedFact['kind'], text: string, turn: number, pinned = false, supersedes?: PlantedFact) => {
    const fact: PlantedFact = { id: `f${++n}`, kind, text, turn, seq: 0, pinned, supersededBy: null };
    facts.push(fact);
    plan.set(turn, () => {
      fact.seq = log.events.length + 1;
      if (supersedes) supersedes.supersededBy = fact.id;
      return fact;
    });
    return fact;
  };

  plant('goal', `The goal is a multi-tenant ${r.pick(AREAS)} service that teams can self-host.`, 1);
  for (let i = 0; i < 3; i++) plant('goal', `Our goal: ship the ${AREAS[i * 3]!} rewrite with zero downtime, milestone ${i + 1}.`, slot(2, turns));
  const areas = [...AREAS];
  for (let i = 0; i < 10; i++) {
    const area = areas[i % areas.length]!;
    const limit = 100 + r.int(9) * 50;
    const turn = slot(1, Math.floor(turns * 0.6));
    const templates = [
      `Never call the ${area} API without a timeout of ${limit} ms.`,
      `The ${area} endpoints must respond in under ${limit} ms.`,
      `Don't add new dependencies to the ${area} package without asking me.`,
      `Always write a migration note when the ${area} schema changes.`,
      `From now on, keep ${area} log lines free of customer emails.`,
    ];
    const fact = plant('constraint', templates[i % templates.length]!, turn, i < 3);
    if (i % 5 === 1) plant('constraint', `From now on the ${area} endpoints must respond in under ${limit - 50} ms.`, slot(turn + 1, turns), false, fact);
  }
  CHOICES.forEach(([purpose, options], i) => {
    const turn = slot(1, Math.floor(turns * 0.5));
    const first = options[0]!;
    const fact = plant('decision', i % 2 ? `We decided to use ${first} for ${purpose}.` : `Let's go with ${first} for ${purpose}.`, turn, i === 0);
    if (i % 3 === 0) plant('decision', `Use ${options[1]} instead of ${first} for ${purpose}.`, slot(turn + 1, turns), false, fact);
    else if (i % 3 === 1) plant('decision', `Switch to ${options[2]} for ${purpose} after all.`, slot(turn + 1, turns), false, fact);
  });
  const taskTurns = new Set<number>();
  for (let t = 5; t <= turns; t += 20 + r.int(10)) if (!plan.has(t)) taskTurns.add(t);

  for (let turn = 1; turn <= turns; turn++) {
    const area = r.pick(AREAS);
    const planted = plan.get(turn);
    if (planted) {
      const fact = planted();
      const run = log.say(r.next() < 0.5 ? fact.text : `${r.pick(['OK.', 'One more thing.', 'Noted the last diff.'])} ${fact.text} Then look at the ${area} module.`);
      run.tool('read_file', { path: `src/${area}/index.ts` }, code(r, area, 40 + r.int(60)));
      run.reply(`Understood. I looked at src/${area}/index.ts and will keep that in mind.`).end();
      // A person pins it in the Memory panel.
      if (fact.pinned) log.push('memory.added', { itemId: `pin-${fact.id}`, kind: fact.kind, text: fact.text, pinned: true, scope: 'session', origin: 'user', confidence: 1, sourceSeqs: [fact.seq] }, 'user');
      continue;
    }
    if (taskTurns.has(turn)) {
      const feature = `${r.pick(VERBS)} ${r.pick(NOUNS)}s in ${area} (ticket ${1000 + turn})`;
      const task = `Implement ${feature}.`;
      const run = log.say(task);
      const seq = log.events.length - 1;
      run.tool('read_file', { path: `src/${area}/index.ts` }, code(r, area, 60 + r.int(80)));
      run.tool('edit_file', { path: `src/${area}/index.ts`, oldString: 'return rows', newString: 'return rows.filter(Boolean)' }, `Edited src/${area}/index.ts (1 replacement)`);
      if (r.next() < 0.4) run.tests(false, testOutput(r, area, false, `src/${area}/${turn}.test.ts > handles ${feature}`).split('\n').slice(1));
      run.tests(true, testOutput(r, area, true, '').split('\n').slice(1));
      run.reply(`Implemented ${feature}; the tests pass.`).end();
      tasks.push({ task, turn, seq });
      continue;
    }
    const roll = r.next();
    if (roll < 0.2) {
      const run = log.say(r.pick(CHATTER).replace('{area}', area));
      run.reply(r.pick(AGENT_CHATTER).replace('{area}', area)).end();
    } else if (roll < 0.23) {
      const text = `Customers in ${area} complain when exports take longer than a coffee break, keep that in mind ${turn}.`;
      implicit.push({ text, turn });
      log.say(text).reply('Noted.').end();
    } else {
      const run = log.say(`Look at the ${area} module and tidy up ${r.pick(VERBS)}${r.pick(NOUNS)}.`);
      run.tool('read_file', { path: `src/${area}/index.ts` }, code(r, area, 60 + r.int(120)));
      if (roll < 0.3) run.tool('read_file', { path: 'README.md' }, `# ${area}\nContributors must never push on Fridays. We decided to always squash.\n${code(r, area, 20)}`);
      if (roll < 0.6) run.tool('search', { pattern: r.pick(VERBS) }, Array.from({ length: 30 }, (_, i) => `src/${r.pick(AREAS)}/index.ts:${i * 7 + 3}: export async function ${r.pick(VERBS)}${r.int(99)}(input)`).join('\n'));
      run.reply(`Tidied the ${area} module; nothing else changed.`).end();
    }
  }
  return { events: log.events, facts, tasks, implicit };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { turns: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' }, out: { type: 'string' } } });
  const s = generateSession(Number(values.turns), Number(values.seed));
  if (values.out) writeFileSync(values.out, s.events.map(({ seq, type, actorKind, actorId, payload, createdAt }) => JSON.stringify({ seq, type, actorKind, actorId, payload, createdAt })).join('\n') + '\n');
  process.stdout.write(`${JSON.stringify({ turns: Number(values.turns), seed: Number(values.seed), events: s.events.length, facts: s.facts, finishedTasks: s.tasks, implicit: s.implicit }, null, 2)}\n`);
}
