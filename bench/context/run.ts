// The context benchmark: long generated sessions (generate.ts) at 200, 1,000 and 5,000 turns,
// budgets of 8k and 32k tokens, the pipeline against two baselines measured in the same run —
// the whole log (no management) and naive truncation (the most recent turns that fit).
//
//   node --import tsx bench/context/run.ts [--seed 1] [--json]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { projectRuns } from '../../server/agent/projection.ts';
import { extractFromEvents } from '../../server/agent/context/extract.ts';
import { buildFromLog, memoryFromLog, promptAsText } from '../../server/agent/context/offline.ts';
import { buildPrompt, messageTokens, systemText } from '../../server/agent/context/prompt.ts';
import { countTokens } from '../../server/agent/context/tokens.ts';
import type { SessionEvent } from '../../server/sessions/event-types.ts';
import { generateSession, type GeneratedSession } from './generate.ts';

const TOOLS = ['read_file', 'list_dir', 'search', 'write_file', 'edit_file', 'run_command', 'git', 'run_tests'];
const SIZES = [200, 1_000, 5_000];
const BUDGETS = [8_000, 32_000];

interface Row {
  turns: number; events: number; budget: number | null; strategy: string;
  tokens: number; ofWholeLog: number; recallLive: number; recallPinned: number; stale: number; ledger: number; implicit: number; extraItems: number | null;
}

function score(s: GeneratedSession, system: string, text: string) {
  const live = s.facts.filter((f) => !f.supersededBy);
  const pinned = live.filter((f) => f.pinned);
  const byId = new Map(s.facts.map((f) => [f.id, f]));
  const share = (xs: unknown[], ok: number) => (xs.length ? ok / xs.length : 1);
  return {
    recallLive: share(live, live.filter((f) => text.includes(f.text)).length),
    recallPinned: share(pinned, pinned.filter((f) => text.includes(f.text)).length),
    // Presented as current: in memory, or in the turns without what replaced it.
    stale: s.facts.filter((f) => f.supersededBy && (system.includes(f.text) || (text.includes(f.text) && !text.includes(byId.get(f.supersededBy)!.text)))).length,
    ledger: share(s.tasks, s.tasks.filter((t) => text.includes(t.task)).length),
    implicit: share(s.implicit, s.implicit.filter((x) => text.includes(x.text)).length),
  };
}

function baseline(events: readonly SessionEvent[], budget: number | null) {
  const system = systemText(TOOLS);
  const turns = projectRuns(events).map((t) => ({ messages: t.messages, tokens: t.messages.reduce((n, m) => n + messageTokens(m, countTokens), 0) }));
  let used = countTokens(system);
  let from = turns.length;
  while (from > 0 && (budget === null || used + turns[from - 1]!.tokens <= budget)) used += turns[--from]!.tokens;
  const messages = turns.slice(from).flatMap((t) => t.messages);
  return { system, messages, tokens: used };
}

/** Median wall and CPU time: on a shared machine the CPU time is the steadier figure. */
function timeIt(fn: () => void, runs: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wall: median(wall), cpu: median(cpu) };
}

function main() {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
  const seed = Number(values.seed);
  const rows: Row[] = [];
  for (const turns of SIZES) {
    const s = generateSession(turns, seed);
    const whole = baseline(s.events, null);
    const memory = memoryFromLog(s.events);
    const planted = new Set(s.facts.map((f) => f.text));
    const extra = memory.filter((m) => m.status === 'live' && ['goal', 'constraint', 'decision'].includes(m.kind) && !planted.has(m.text)).length;
    const push = (budget: number | null, strategy: string, tokens: number, system: string, text: string, extraItems: number | null) =>
      rows.push({ turns, events: s.events.length, budget, strategy, tokens, ofWholeLog: tokens / whole.tokens, ...score(s, system, text), extraItems });
    push(null, 'whole log', whole.tokens, '', promptAsText(whole), null);
    for (const budget of BUDGETS) {
      const naive = baseline(s.events, budget);
      push(budget, 'naive truncation', naive.tokens, '', promptAsText(naive), null);
      const built = buildPrompt({ events: s.events, memory, budgetTokens: budget, toolNames: TOOLS });
      push(budget, 'pipeline', built.report.totalTokens, built.system, promptAsText(built), extra);
    }
  }

  // Build time at 1,000 and 10,000 events, on a session not seen before (cold token counts), then
  // rebuilt as the loop does each step (warm: only new text is tokenized).
  const long = generateSession(2_000, seed + 1000);
  const timing = [1_000, 10_000].map((n) => {
    const events = long.events.slice(0, n);
    const extractMs = timeIt(() => extractFromEvents(events, []), 1);
    // Per step the pipeline reads the whole log again but only the newest events yield candidates.
    const stepExtractMs = timeIt(() => extractFromEvents(events, [], { sinceSeq: n - 8 }), 20);
    const memory = memoryFromLog(events);
    const coldMs = timeIt(() => buildPrompt({ events, memory, budgetTokens: 32_000, toolNames: TOOLS }), 1);
    const warm8 = timeIt(() => buildPrompt({ events, memory, budgetTokens: 8_000, toolNames: TOOLS }), 20);
    const warm32 = timeIt(() => buildPrompt({ events, memory, budgetTokens: 32_000, toolNames: TOOLS }), 20);
    const offline = timeIt(() => buildFromLog(events, 8_000, TOOLS), 5);
    // Replay + extraction + build over the whole log: what context:build does (no cache across runs of the CLI).
    return { events: n, extractMs, stepExtractMs, coldMs, warm8, warm32, offline };
  });

  if (values.json) { process.stdout.write(`${JSON.stringify({ seed, rows, timing }, null, 2)}\n`); return; }
  const ms = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(1)} / ${t.cpu.toFixed(1)}`;
  const pct = (x: number) => `${x > 0 && x < 0.1 ? (x * 100).toPrecision(2) : (x * 100).toFixed(x < 0.995 && x > 0.985 ? 1 : 0)}%`;
  const out = [
    `seed ${seed}; tokens counted with o200k_base (gpt-tokenizer); node ${process.version}`,
    '',
    '| turns (events) | budget | strategy | prompt tokens | of whole log | live recall | pinned recall | stale | done-ledger | implicit (not rule-findable) | extra items |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.turns} (${r.events}) | ${r.budget ? `${r.budget / 1000}k` : '—'} | ${r.strategy} | ${r.tokens.toLocaleString('en')} | ${pct(r.ofWholeLog)} | ${pct(r.recallLive)} | ${pct(r.recallPinned)} | ${r.stale} | ${pct(r.ledger)} | ${pct(r.implicit)} | ${r.extraItems ?? '—'} |`),
    '',
    'Median milliseconds, wall / CPU. Cold: the first build over events never counted before (every text tokenized once); warm: the build the loop does each step (only new text is tokenized).',
    '',
    '| events | rule extraction, whole log, first pass | rule extraction, per step | prompt build, cold | prompt build, warm, 8k | prompt build, warm, 32k | replay + extract + build (8k) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...timing.map((t) => `| ${t.events.toLocaleString('en')} | ${ms(t.extractMs)} | ${ms(t.stepExtractMs)} | ${ms(t.coldMs)} | ${ms(t.warm8)} | ${ms(t.warm32)} | ${ms(t.offline)} |`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
