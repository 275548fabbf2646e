// What the task profile's scope check adds to a tool call: outOfScope (which classifies the call
// again with the policy's shell parse) on the command table as run_command calls under the
// `build` profile with `!infra/**` (every path checked against the globs) and under `ask`
// (every command checked against its command globs), after a warm-up.
//   node --import tsx bench/profile-scope.ts [rounds=10]
import { BUILTIN_PROFILES } from '../server/agent/profiles/builtins.ts';
import { outOfScope } from '../server/agent/profiles/scope.ts';
import { COMMAND_TABLE } from '../server/agent/policy/command-table.ts';

const ROUNDS = Number(process.argv[2] ?? 10);
const commands = COMMAND_TABLE.map(([command]) => ({ command }));
const build = BUILTIN_PROFILES.find((p) => p.name === 'build')!.spec;
const specs = { 'build !infra/**': { ...build, paths: { read: ['**'], write: ['**', '!infra/**'] } }, ask: BUILTIN_PROFILES.find((p) => p.name === 'ask')!.spec };

await outOfScope(build, 'run_command', { command: 'true' });
const out: Record<string, unknown> = { commands: commands.length, rounds: ROUNDS };
for (const [name, spec] of Object.entries(specs)) {
  for (const input of commands) await outOfScope(spec, 'run_command', input);
  const perRound: number[] = [];
  let denied = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    denied = 0;
    for (const input of commands) if (await outOfScope(spec, 'run_command', input)) denied++;
    perRound.push(performance.now() - start);
  }
  perRound.sort((a, b) => a - b);
  const median = perRound[Math.floor(perRound.length / 2)]!;
  out[name] = { medianRoundMs: +median.toFixed(2), meanMicrosecondsPerCall: +((median * 1000) / commands.length).toFixed(1), outOfScope: denied };
}
out.heapUsedMiB = +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1);
console.log(JSON.stringify(out, null, 2));
