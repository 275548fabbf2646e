// Classifier throughput on the command table (server/agent/policy/command-table.ts): every
// command parsed with tree-sitter-bash and judged, as run_command calls, after a warm-up.
// Also the one-time grammar load and the slowest single command.
//   node --import tsx bench/policy-classifier.ts [rounds=20]
import { classifyCall } from '../server/agent/policy/classify.ts';
import { COMMAND_TABLE } from '../server/agent/policy/command-table.ts';

const ROUNDS = Number(process.argv[2] ?? 20);
const commands = COMMAND_TABLE.map(([command]) => ({ command }));

const loadStart = performance.now();
await classifyCall('run_command', { command: 'true' });
const loadMs = performance.now() - loadStart;

for (const input of commands) await classifyCall('run_command', input);

const perRound: number[] = [];
let slowest = { ms: 0, command: '' };
for (let r = 0; r < ROUNDS; r++) {
  const start = performance.now();
  for (const input of commands) {
    const s = performance.now();
    await classifyCall('run_command', input);
    const ms = performance.now() - s;
    if (ms > slowest.ms) slowest = { ms, command: input.command };
  }
  perRound.push(performance.now() - start);
}
perRound.sort((a, b) => a - b);
const median = perRound[Math.floor(perRound.length / 2)]!;
console.log(JSON.stringify({
  commands: commands.length,
  rounds: ROUNDS,
  grammarLoadMs: +loadMs.toFixed(1),
  medianRoundMs: +median.toFixed(2),
  commandsPerSecond: Math.round(commands.length / (median / 1000)),
  meanMicrosecondsPerCommand: +((median * 1000) / commands.length).toFixed(1),
  slowest: { ms: +slowest.ms.toFixed(2), command: slowest.command },
  heapUsedMiB: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1),
}, null, 2));
