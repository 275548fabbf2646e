// Agent loop overhead per step, model time excluded: prompt build + tool dispatch + event
// appends + broadcast, on a session that already holds 1,000 events.
//   node --import tsx bench/agent-loop.ts            SQLite, in-process zero-latency model
//   BENCH_DB=postgres node --import tsx bench/agent-loop.ts   (TEST_DATABASE_URL must be set)
//   BENCH_WIRE=1 …   the model is the scripted HTTP server behind the real AI SDK client instead
//                    (adds SDK parsing and loopback HTTP, still no model latency)
import pino from 'pino';
import { AgentService } from '../server/agent/service.ts';
import type { ModelStreamPart } from '../server/models/router.ts';
import { ModelRouter } from '../server/models/router.ts';
import { parseRouteList } from '../server/models/routes.ts';
import { createLocalBus } from '../server/sessions/bus.ts';
import { appendEvent } from '../server/sessions/events.ts';
import { createEventStream } from '../server/sessions/stream.ts';
import { createDirWorkspace } from '../test/support/agent-workspace.ts';
import { createTestDb } from '../test/support/db.ts';
import { startScriptedModelServer } from '../test/support/scripted-model-server.ts';

const STEPS = Number(process.env.STEPS ?? 200);
const PRIOR_EVENTS = 1000;
const log = pino({ level: 'silent' });

const t = await createTestDb(process.env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite');
const bus = createLocalBus();
const events = createEventStream(t.db, bus);
const team = await t.db.team.create({ data: { name: 'bench' } });
const user = await t.db.user.create({ data: { email: 'bench@x.test', name: 'bench' } });
const session = await t.db.session.create({ data: { title: 'bench', teamId: team.id, ownerId: user.id } });

// A realistic backlog: earlier runs, each a user turn, tool calls and their results.
const agent = { kind: 'agent' as const, id: null };
let appended = 0;
const append = async (e: Parameters<typeof appendEvent>[2]) => { appended++; await appendEvent(t.db, session.id, e, agent); };
for (let run = 0; appended < PRIOR_EVENTS; run++) {
  const runId = `prior-${run}`;
  await append({ type: 'agent.run.started', payload: { runId, text: `task ${run}: please look at src/file${run}.ts` } });
  for (let step = 1; step <= 8 && appended < PRIOR_EVENTS - 3; step++) {
    const callId = `${runId}-${step}`;
    await append({ type: 'agent.tool.requested', payload: { runId, step, callId, tool: 'read_file', input: { path: `src/file${step}.ts` } } });
    await append({ type: 'agent.tool.result', payload: { runId, callId, tool: 'read_file', ok: true, output: 'x'.repeat(400), durationMs: 1 } });
  }
  await append({ type: 'agent.run.ended', payload: { runId, outcome: 'completed', steps: 8 } });
}

let broadcast = 0;
bus.subscribe(session.id, () => { broadcast++; });

const ws = createDirWorkspace({ 'src/a.ts': 'export const a = 1;\n'.repeat(50) });
const stepStarts: number[] = [];
let router: ConstructorParameters<typeof AgentService>[0]['router'];
let closeServer = async () => {};
if (process.env.BENCH_WIRE) {
  const server = await startScriptedModelServer();
  server.script('m', [
    ...Array.from({ length: STEPS - 1 }, () => ({ toolCalls: [{ name: 'read_file', input: { path: 'src/a.ts' } }] })),
    { text: 'done' },
  ]);
  const real = new ModelRouter({
    credentials: { openaiApiKey: 'bench', openaiBaseUrl: server.baseUrl },
    routes: { routes: async () => ({ routes: parseRouteList('openai:m'), source: 'environment' }) },
    log, firstTokenTimeoutMs: 10_000,
  });
  router = { status: () => real.status(), contextWindow: () => real.contextWindow(), stream: (req) => { stepStarts.push(performance.now()); return real.stream(req); } };
  closeServer = () => server.close();
} else {
  let n = 0;
  router = {
    status: async () => ({ task: 'agent', configured: true, source: 'environment', routes: [], howTo: null }),
    contextWindow: async () => ({ tokens: 200_000, source: 'known', route: 'bench:zero' }),
    async *stream(): AsyncGenerator<ModelStreamPart> {
      stepStarts.push(performance.now());
      n++;
      yield { type: 'route', route: 'bench:zero', failedOver: [] };
      if (n < STEPS) yield { type: 'tool-call', callId: `bench-${n}`, toolName: 'read_file', input: { path: 'src/a.ts' } };
      else yield { type: 'text-delta', text: 'done' };
      yield { type: 'finish', route: 'bench:zero', finishReason: n < STEPS ? 'tool-calls' : 'stop', usage: { inputTokens: 1000, outputTokens: 20, costUsd: 0 } };
    },
  };
}

// Time inside event appends (database transaction + broadcast), to split the step figure;
// an appendMany (one transaction for several events) counts as one append.
let appendMs = 0;
let appendsDuringRun = 0;
const timedEvents: typeof events = {
  follow: events.follow,
  async append(...args) {
    const s0 = performance.now();
    try { return await events.append(...args); } finally { appendMs += performance.now() - s0; appendsDuringRun++; }
  },
  async appendMany(...args) {
    const s0 = performance.now();
    try { return await events.appendMany(...args); } finally { appendMs += performance.now() - s0; appendsDuringRun++; }
  },
};
const service = new AgentService({ db: t.db, events: timedEvents, router, log, workspaces: async () => ws, maxSteps: STEPS + 1 });
const started = performance.now();
await service.send({ sessionId: session.id, userId: user.id, teamId: team.id, text: 'benchmark' });
await service.idle(session.id);
const total = performance.now() - started;

const perStep = stepStarts.slice(1).map((s, i) => s - stepStarts[i]!).sort((a, b) => a - b);
const q = (p: number) => perStep[Math.min(perStep.length - 1, Math.floor(p * perStep.length))]!;
const ended = await t.db.agentRun.findFirstOrThrow({ where: { sessionId: session.id } });
console.log(JSON.stringify({
  db: process.env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite',
  model: process.env.BENCH_WIRE ? 'scripted HTTP server + AI SDK client' : 'in-process, zero latency',
  priorEvents: PRIOR_EVENTS,
  steps: ended.step,
  appendsPerStep: +(appendsDuringRun / ended.step).toFixed(2),
  broadcastEvents: broadcast,
  meanAppendMs: +(appendMs / appendsDuringRun).toFixed(2),
  meanStepMsOutsideAppends: +((total - appendMs) / ended.step).toFixed(2),
  stepMs: { median: +q(0.5).toFixed(2), p95: +q(0.95).toFixed(2), min: +perStep[0]!.toFixed(2) },
  totalMs: Math.round(total),
}, null, 2));

await closeServer();
ws.cleanup();
await t.cleanup();
