import { z } from 'zod';
import type { AgentWorkspace } from './tool.ts';
import { defineTool } from './tool.ts';
import { formatExec } from './run-command.ts';

const TEST_TIMEOUT_MS = 10 * 60_000;
const TEST_OUTPUT_BYTES = 64 * 1024;
/** Lines that carry a test runner's verdict, across the common runners. */
const SUMMARY_LINE = /\b(\d+ (passed|failed|skipped|pending|errors?)|Tests?:|Test Files|FAIL|PASS|passed|failed|ok\b|not ok|✓|✗|×)/;
const MAX_SUMMARY_LINES = 40;

export const runTests = defineTool({
  name: 'run_tests',
  description: 'Run the workspace\'s tests with its own test command (package.json "test" script, pytest, go test, cargo test or make test, whichever the project has). Returns pass/fail, a summary and the end of the output. filter narrows to matching tests or files where the runner supports it.',
  effect: 'exec',
  input: z.object({
    filter: z.string().optional().describe('A test file or name pattern passed to the runner'),
  }),
  async run(ctx, input) {
    const command = await testCommand(ctx.workspace, input.filter);
    if (!command) return { ok: false, error: 'Found no test command: no package.json "test" script, pytest config, go.mod, Cargo.toml or Makefile test target. Use run_command with the right command.' };
    const r = await ctx.workspace.exec(['bash', '-c', command], { timeoutMs: TEST_TIMEOUT_MS, maxOutputBytes: TEST_OUTPUT_BYTES, signal: ctx.signal });
    const passed = r.exitCode === 0 && !r.timedOut;
    const summary = (r.stdout + '\n' + r.stderr).split('\n').filter((l) => SUMMARY_LINE.test(l)).slice(-MAX_SUMMARY_LINES);
    const output = [
      `${passed ? 'PASSED' : r.timedOut ? 'TIMED OUT' : 'FAILED'}: ${command}`,
      summary.length ? `--- summary ---\n${summary.join('\n')}` : '',
      formatExec(r),
    ].filter(Boolean).join('\n');
    return { ok: true, output, detail: { command, passed, exitCode: r.exitCode, durationMs: r.durationMs } };
  },
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function testCommand(ws: AgentWorkspace, filter: string | undefined): Promise<string | null> {
  const f = filter ? ` ${quote(filter)}` : '';
  const read = (p: string) => ws.files.readText(p).catch(() => null);
  const pkg = await read('package.json');
  if (pkg) {
    try {
      if ((JSON.parse(pkg) as { scripts?: Record<string, string> }).scripts?.test) return `npm test --silent${filter ? ` --${f}` : ''} 2>&1`;
    } catch { /* not JSON: try the other runners */ }
  }
  if ((await read('pytest.ini')) !== null || (await read('pyproject.toml'))?.includes('pytest') || (await read('setup.cfg'))?.includes('pytest')) return `python3 -m pytest -q${f} 2>&1`;
  if ((await read('go.mod')) !== null) return `go test ${filter ? `-run${f} ` : ''}./... 2>&1`;
  if ((await read('Cargo.toml')) !== null) return `cargo test${f} 2>&1`;
  if (/^test:/m.test((await read('Makefile')) ?? '')) return 'make test 2>&1';
  return null;
}
