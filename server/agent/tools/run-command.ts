import { z } from 'zod';
import type { ExecResult } from '../../workspace/provider.ts';
import { defineTool } from './tool.ts';
import { workspacePath } from './paths.ts';

const DEFAULT_TIMEOUT_S = 120;
const MAX_TIMEOUT_S = 600;
/** The sandbox keeps the head and tail of longer output. */
export const COMMAND_OUTPUT_BYTES = 64 * 1024;

export const runCommand = defineTool({
  name: 'run_command',
  description: `Run a shell command (bash) in the workspace sandbox: /workspace is the project, there is no network unless the workspace allows it. Returns the exit code and output (long output keeps its head and tail). Default timeout ${DEFAULT_TIMEOUT_S} s.`,
  effect: 'exec',
  input: z.object({
    command: z.string().min(1).describe('The command line, run with bash -c'),
    cwd: z.string().optional().describe('Working directory relative to the workspace root'),
    timeoutSeconds: z.number().int().min(1).max(MAX_TIMEOUT_S).default(DEFAULT_TIMEOUT_S),
  }),
  async run(ctx, input) {
    const r = await ctx.workspace.exec(['bash', '-c', input.command], {
      cwd: input.cwd === undefined ? undefined : workspacePath(input.cwd),
      timeoutMs: input.timeoutSeconds * 1000,
      maxOutputBytes: COMMAND_OUTPUT_BYTES,
      signal: ctx.signal,
    });
    const text = formatExec(r);
    const detail = { exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs };
    if (r.timedOut) return { ok: false, error: `Timed out after ${input.timeoutSeconds} s and was killed.\n${text}`, detail };
    return { ok: true, output: text, detail };
  },
});

export function formatExec(r: ExecResult): string {
  const status = r.exitCode !== null ? `exit code ${r.exitCode}` : `killed by ${r.signal ?? 'a signal'}`;
  const parts = [status];
  if (r.stdout) parts.push(`--- stdout ---\n${r.stdout.trimEnd()}`);
  if (r.stderr) parts.push(`--- stderr ---\n${r.stderr.trimEnd()}`);
  if (!r.stdout && !r.stderr) parts.push('(no output)');
  return parts.join('\n');
}
