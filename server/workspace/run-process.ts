// Runs one (already sandboxed) argv to completion with a timeout, an output cap and
// cancellation. The process is started in its own process group and killed as a group; inside
// a sandbox, killing bwrap also ends its whole pid namespace (--die-with-parent).
import { spawn } from 'node:child_process';
import type { ExecResult } from './provider.ts';
import { OutputCap } from './output-cap.ts';

export const DEFAULT_EXEC_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Called with each stderr chunk as it arrives (git clone progress). */
  onStderr?: (chunk: string) => void;
  /** Told about the child as soon as it exists, so an owner can kill it (killAll); returns the untrack call. */
  track?: (kill: () => void) => () => void;
}

/** SIGKILL to the process group (a sandbox: bwrap takes its pid namespace with it). */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try { process.kill(-pid, 'SIGKILL'); } catch {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

export function runProcess(argv: string[], o: RunOptions): Promise<ExecResult> {
  const started = performance.now();
  const max = o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const stdout = new OutputCap(max);
  const stderr = new OutputCap(max);
  let timedOut = false;
  return new Promise<ExecResult>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, env: o.env as NodeJS.ProcessEnv, detached: true, stdio: 'pipe' });
    const timer = setTimeout(() => { timedOut = true; killGroup(child.pid); }, o.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS);
    const onAbort = () => killGroup(child.pid);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) onAbort();
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => { stderr.push(c); o.onStderr?.(c.toString('utf8')); });
    child.stdin.on('error', () => { /* the command may exit without reading its input */ });
    child.stdin.end(o.stdin ?? '');
    const untrack = o.track?.(() => killGroup(child.pid));
    const finish = (exitCode: number | null, signal: string | null) => {
      untrack?.();
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode, signal, timedOut,
        stdout: stdout.toString(), stderr: stderr.toString(),
        truncated: stdout.truncated || stderr.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    };
    child.on('error', (e) => { stderr.push(Buffer.from(`${e.message}\n`)); finish(null, null); });
    child.on('close', finish);
  });
}
