// Runs one (already sandboxed) argv to completion with a timeout, an output cap and
// cancellation. The process is started by the spawner (spawner.ts), in its own process group,
// and killed as a group; inside a sandbox, killing bwrap also ends its whole pid namespace
// (--die-with-parent).
import type { ExecResult } from './provider.ts';
import { OutputCap } from './output-cap.ts';
import { startProcess } from './spawner.ts';

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
    let pid: number | undefined;
    /** A kill asked for before the process was running is carried out once it is. */
    let killWanted = false;
    const kill = () => {
      killWanted = true;
      killGroup(pid);
    };
    const timer = setTimeout(() => { timedOut = true; kill(); }, o.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS);
    o.signal?.addEventListener('abort', kill, { once: true });
    if (o.signal?.aborted) kill();
    const untrack = o.track?.(kill);
    let finished = false;
    const finish = (exitCode: number | null, signal: string | null) => {
      if (finished) return;
      finished = true;
      untrack?.();
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', kill);
      resolve({
        exitCode, signal, timedOut,
        stdout: stdout.toString(), stderr: stderr.toString(),
        truncated: stdout.truncated || stderr.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    };
    startProcess(argv, {
      cwd: o.cwd, env: o.env, stdin: o.stdin ?? '', output: 'pipe',
      onOutput: (fd, c) => {
        if (fd === 1) return stdout.push(c);
        stderr.push(c);
        o.onStderr?.(c.toString('utf8'));
      },
      onExit: finish,
    }).then((p) => {
      pid = p;
      if (killWanted) killGroup(pid);
    }, (e: Error) => {
      stderr.push(Buffer.from(`${e.message}\n`));
      finish(null, null);
    });
  });
}
