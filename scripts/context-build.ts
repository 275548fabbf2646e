// npm run --silent context:build -- --events FILE.jsonl --budget 8000
// Runs the context pipeline (rule extraction, no model; then the budgeted prompt) over a session
// log exported as JSONL and prints one JSON object: { memory, prompt, report }.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { buildFromLog, promptAsText } from '../server/agent/context/offline.ts';
import { parseSessionLog } from '../server/agent/context/session-log.ts';

const argsSchema = z.object({
  events: z.string().min(1, 'give the session log: --events FILE.jsonl'),
  budget: z.coerce.number().int().min(500, 'the budget is a number of tokens, at least 500').max(2_000_000),
});

async function main() {
  const { values } = parseArgs({ options: { events: { type: 'string' }, budget: { type: 'string', default: '8000' } } });
  const args = argsSchema.parse(values);
  const events = parseSessionLog(await readFile(args.events, 'utf8'));
  const built = buildFromLog(events, args.budget);
  const out = {
    memory: built.memory.map((m) => ({ kind: m.kind, text: m.text, status: m.status, sourceSeqs: m.sourceSeqs })),
    prompt: promptAsText(built),
    report: { sections: built.report.sections, included: built.report.included, masked: built.report.masked, dropped: built.report.dropped },
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  const message = err instanceof z.ZodError ? err.issues.map((i) => i.message).join('; ') : err instanceof Error ? err.message : String(err);
  process.stderr.write(`context:build: ${message}\n`);
  process.exitCode = 1;
});
