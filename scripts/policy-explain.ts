// Entry point of `npm run --silent policy:explain`; see server/agent/policy/explain.ts.
import { explain, USAGE, UsageError } from '../server/agent/policy/explain.ts';

try {
  process.stdout.write(`${JSON.stringify(await explain(process.argv.slice(2)))}\n`);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message ? `policy:explain: ${err.message}\n` : ''}${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`policy:explain failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
