// Processes in a workspace pod through the exec API: one command to completion (stdout, stderr,
// exit status from the status channel), and terminals (a tty whose size follows the browser's
// through the resize channel). The exec API has no working directory, environment or timeout of
// its own, so each command is wrapped: `cd` and `env` for the first two, coreutils' `timeout` for
// the third — closing the WebSocket alone does not reliably end a process in the container.
import type { V1Status } from '@kubernetes/client-node';
import { PassThrough, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { WebSocket } from 'ws';
import { RingBuffer } from '../host/ring-buffer.mjs';
import { OutputCap } from '../output-cap.ts';
import type { ExecResult, PtyEvents, PtyExit, PtyState, SandboxPty } from '../provider.ts';
import type { PtyFlow } from '../pty-flow.ts';
import { DEFAULT_EXEC_TIMEOUT_MS, DEFAULT_MAX_OUTPUT_BYTES } from '../run-process.ts';
import type { Cluster } from './cluster.ts';
import { WORKSPACE_CONTAINER } from './manifests.ts';

/** The only exec subprotocol that can close stdin without closing the whole stream. */
const STDIN_CLOSE_PROTOCOL = 'v5.channel.k8s.io';
/** A command this long past its own `timeout` is given up on from this side. */
const TIMEOUT_GRACE_MS = 5_000;

export interface PodCommand {
  argv: string[];
  /** Absolute, inside the pod. */
  cwd: string;
  env: Record<string, string>;
}

/** argv run in `cwd` with `env` added, and killed after `timeoutMs` inside the pod. Values travel as arguments, never as shell text. */
export function wrapCommand(c: PodCommand, timeoutMs?: number): string[] {
  const bad = Object.keys(c.env).find((k) => k === '' || k.includes('='));
  if (bad !== undefined) throw new Error(`Not a variable name: "${bad}"`);
  // `--`: a name starting with "-" is a variable for env, not one of its options.
  const env = ['--', ...Object.entries(c.env).map(([k, v]) => `${k}=${v}`)];
  const timeout = timeoutMs === undefined ? [] : ['timeout', '-s', 'KILL', `${Math.max(1, Math.ceil(timeoutMs / 1000))}`];
  return ['/bin/sh', '-c', 'cd -- "$0" && exec "$@"', c.cwd, ...timeout, 'env', ...env, ...c.argv];
}

/** The exit code a Status carries: 0 on Success, the ExitCode cause on NonZeroExitCode, null when the command never ran. */
export function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number(cause.message) : NaN;
  return Number.isInteger(code) ? code : null;
}

function sink(onChunk: (chunk: Buffer) => void): Writable {
  return new Writable({ write(chunk: Buffer, _enc, done) { onChunk(chunk); done(); } });
}

export interface RunOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  maxOutputBytes?: number;
  signal?: AbortSignal;
  track?: (kill: () => void) => () => void;
  /** Default: the workspace container. */
  container?: string;
  /** Each piece of stderr as it arrives (a clone's progress). */
  onStderr?: (chunk: string) => void;
}

export async function runInPod(cluster: Cluster, pod: string, c: PodCommand, o: RunOptions = {}): Promise<ExecResult> {
  const started = performance.now();
  const max = o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const timeoutMs = o.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const stdout = new OutputCap(max);
  const stderr = new OutputCap(max);
  let status: V1Status | null = null;
  const stdin = o.stdin === undefined ? null : new PassThrough();
  const decoder = new StringDecoder('utf8');
  const ws = await cluster.exec(pod, o.container ?? WORKSPACE_CONTAINER, wrapCommand(c, timeoutMs), {
    stdout: sink((b) => stdout.push(b)),
    stderr: sink((b) => {
      stderr.push(b);
      if (o.onStderr) o.onStderr(decoder.write(b));
    }),
    stdin, tty: false,
    onStatus: (s) => { status = s; },
  });
  if (stdin && o.stdin !== undefined) {
    if (ws.protocol !== STDIN_CLOSE_PROTOCOL) {
      ws.close();
      throw new Error(`This cluster's exec API (${ws.protocol || 'no subprotocol'}) cannot end a command's input; Kubernetes 1.30 or later (${STDIN_CLOSE_PROTOCOL}) is needed`);
    }
    stdin.end(o.stdin);
  }
  let timedOut = false;
  return new Promise<ExecResult>((resolve) => {
    const stop = () => ws.close();
    // The pod's `timeout` kills the command; this only covers a pod that stopped answering.
    const timer = setTimeout(() => { timedOut = true; stop(); }, timeoutMs + TIMEOUT_GRACE_MS);
    o.signal?.addEventListener('abort', stop, { once: true });
    if (o.signal?.aborted) stop();
    const untrack = o.track?.(stop);
    ws.once('close', () => {
      untrack?.();
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', stop);
      const s = status as V1Status | null;
      const exitCode = s ? exitCodeOf(s) : null;
      // coreutils' timeout reports a KILLed command as 137.
      if (exitCode === 137 && performance.now() - started >= timeoutMs) timedOut = true;
      if (s && exitCode === null && s.message) stderr.push(Buffer.from(`${s.message}\n`));
      resolve({
        exitCode: timedOut ? null : exitCode, signal: timedOut ? 'SIGKILL' : null, timedOut,
        stdout: stdout.toString(), stderr: stderr.toString(),
        truncated: stdout.truncated || stderr.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/**
 * A terminal in the pod: an exec session with a tty. Its output is kept in a ring buffer with
 * byte offsets, as the workspace host does, so a reconnecting browser replays what it missed.
 * Flow control pauses the WebSocket, and TCP carries the back-pressure to the pty in the pod.
 * It lives as long as this server's connection: a server restart ends it (ptys() lists nothing).
 */
export async function openPodPty(
  cluster: Cluster, pod: string, c: PodCommand & { id: string; cols: number; rows: number; flow: PtyFlow },
  events: PtyEvents,
): Promise<{ pty: SandboxPty; state: PtyState }> {
  const ring = new RingBuffer(c.flow.scrollbackBytes);
  const decoder = new StringDecoder('utf8');
  const stdin = new PassThrough();
  let exit: PtyExit | null = null;
  let unacked = 0;
  let paused = false;
  let ws: WebSocket | null = null;
  // What the client library reads the terminal's size from ("resizable"): it sends each change on the resize channel.
  const screen = Object.assign(sink((chunk) => {
    const start = ring.end;
    const end = ring.append(chunk);
    const data = decoder.write(chunk);
    // Counted in characters, as the browsers acknowledge them.
    unacked += data.length;
    if (!paused && unacked > c.flow.highWatermark && ws) { paused = true; ws.pause(); }
    if (data) events.onData({ data, start, end });
  }), { columns: c.cols, rows: c.rows });
  ws = await cluster.exec(pod, WORKSPACE_CONTAINER, wrapCommand(c), {
    stdout: screen, stderr: null, stdin, tty: true,
    onStatus: (s) => { exit = { exitCode: exitCodeOf(s) ?? 1 }; },
  });
  const state: PtyState = { id: c.id, cols: c.cols, rows: c.rows, createdAt: new Date().toISOString(), end: ring.end, exit: null };
  let released = false;
  ws.once('close', () => {
    if (released) return;
    if (exit) events.onExit(exit);
    else events.onLost('The connection to the workspace pod closed');
  });
  const socket = ws;
  return {
    state,
    pty: {
      write: (data) => { stdin.write(data); },
      resize(cols, rows) {
        screen.columns = cols;
        screen.rows = rows;
        screen.emit('resize');
      },
      ack(chars) {
        unacked = Math.max(0, unacked - chars);
        if (paused && unacked < c.flow.lowWatermark) { paused = false; socket.resume(); }
      },
      replay(from, done) {
        const slice = ring.since(from ?? ring.start);
        done(null, slice);
      },
      // Closing the session closes the tty: its shell gets SIGHUP, as when a terminal window closes.
      kill() {
        exit ??= { exitCode: 129, signal: 1 };
        socket.close();
      },
      release() {
        released = true;
        socket.close();
      },
    },
  };
}
