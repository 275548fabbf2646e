// Owns the workspace host process of one workspace: starts it through the workspace launcher
// on the first request (so it runs sandboxed as the workspace uid), matches answers to requests,
// routes stream events, and restarts it on demand after it dies — requests in flight at that
// moment fail with a WorkspaceHostError that says so, and open streams are told they ended.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Logger } from '../../log.ts';
import type { Launcher } from '../launcher.ts';
import { killGroup } from '../run-process.ts';
import {
  encodeFrame, FrameDecoder, hostMessageSchema, hostOps, MAX_FRAME_BYTES, splitPayload,
  type Frame, type HostArgs, type HostErrorCode, type HostOp, type HostResult,
} from './protocol.ts';

/**
 * Passed as an argument (`node -e`), so the host needs no file the workspace uid can reach: the
 * repository may sit under a 0700 home directory. Linux caps one argument at 128 KiB.
 */
const PROGRAM = readFileSync(new URL('./program.mjs', import.meta.url), 'utf8');
const MAX_ARG_BYTES = 128 * 1024;
if (Buffer.byteLength(PROGRAM) >= MAX_ARG_BYTES) throw new Error('workspace host program exceeds the 128 KiB argument limit');

/** Long enough for a recursive delete of a large tree; a host silent for longer is wedged. */
export const HOST_REQUEST_TIMEOUT_MS = 5 * 60_000;
/** A host with nothing to do for this long exits; the next request starts another. */
export const HOST_IDLE_MS = 10 * 60_000;
/** How much of the host's stderr is kept to explain a crash. */
const STDERR_TAIL_BYTES = 4096;

export class WorkspaceHostError extends Error {
  override name = 'WorkspaceHostError';
}

/** An operation the host refused or failed, with the host's code and words. */
export class HostOpError extends Error {
  override name = 'HostOpError';
  constructor(readonly code: HostErrorCode, message: string) {
    super(message);
  }
}

interface Pending { resolve(value: unknown): void; reject(err: Error): void; timer: NodeJS.Timeout }
interface Stream { onData(data: unknown): void; onEnd(reason: string): void }

/** One running host process; replaced by a fresh one after it exits. */
class HostProcess {
  readonly pending = new Map<number, Pending>();
  readonly streams = new Map<number, Stream>();
  private nextId = 1;
  private nextStream = 1;
  private stderrTail = '';
  exited = false;
  /** Killed by us: still draining, but no new request may go to it. */
  dying = false;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly child: ChildProcessWithoutNullStreams, private readonly log: Logger,
    private readonly idleMs: number, onExit: (p: HostProcess) => void,
  ) {
    const decoder = new FrameDecoder();
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) this.receive(frame);
      } catch (err) {
        this.log.error({ err }, 'workspace host sent a malformed frame; stopping it');
        this.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    child.stdin.on('error', (err) => this.log.debug({ err }, 'workspace host stdin closed'));
    const exited = (code: number | null, signal: string | null, err?: Error) => {
      if (this.exited) return;
      this.exited = true;
      const how = err ? err.message : signal ? `signal ${signal}` : `exit code ${code}`;
      const tail = this.stderrTail.trim();
      const reason = `The workspace host stopped (${how})${tail ? `: ${tail.split('\n').slice(-3).join(' / ')}` : ''}`;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      if (this.pending.size > 0 || (code !== 0 && !this.dying)) this.log.warn({ code, signal, stderr: tail }, 'workspace host stopped');
      else this.log.debug({ code, signal }, 'workspace host ended');
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new WorkspaceHostError(`${reason}. The request was not completed; it restarts on the next request.`));
      }
      this.pending.clear();
      for (const s of this.streams.values()) s.onEnd(reason);
      this.streams.clear();
      onExit(this);
    };
    child.on('error', (err) => exited(null, null, err));
    child.on('close', (code, signal) => exited(code, signal));
    this.armIdle();
  }

  /** Counts down to an idle exit whenever nothing is pending and no stream is open. */
  armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.pending.size > 0 || this.streams.size > 0 || this.exited) return;
    this.idleTimer = setTimeout(() => this.kill(), this.idleMs);
    this.idleTimer.unref();
  }

  newStreamId(): number {
    return this.nextStream++;
  }

  request(op: string, args: object): Promise<unknown> {
    if (this.exited) return Promise.reject(new WorkspaceHostError('The workspace host is not running.'));
    const id = this.nextId++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.log.error({ op }, 'workspace host did not answer in time; stopping it');
        this.kill();
      }, HOST_REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      try {
        const { fields, payload, bin } = splitPayload(args);
        this.child.stdin.write(encodeFrame({ t: 'req', id, op, args: fields, bin }, payload));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  private receive(frame: Frame): void {
    const parsed = hostMessageSchema.safeParse(JSON.parse(frame.json.toString('utf8')));
    if (!parsed.success) throw new Error(`unexpected message from the workspace host: ${parsed.error.message}`);
    const m = parsed.data;
    if (m.t === 'ev') {
      this.streams.get(m.stream)?.onData(m.data);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.bin && typeof m.value === 'object' && m.value !== null ? { ...m.value, [m.bin]: frame.payload } : m.value);
    else p.reject(new HostOpError(m.error.code, m.error.message));
    this.armIdle();
  }

  kill(): void {
    this.dying = true;
    killGroup(this.child.pid);
  }
}

export interface HostStream { readonly id: number; close(): Promise<void> }

export class WorkspaceHost {
  private current: HostProcess | null = null;
  private disposed = false;

  constructor(private readonly o: {
    launcher: Launcher; track: (kill: () => void) => () => void; log: Logger;
    /** Default HOST_IDLE_MS. */
    idleMs?: number;
  }) {}

  /** Runs one operation in the host; the answer is checked against the protocol before it is returned. */
  async call<O extends HostOp>(op: O, args: HostArgs<O>): Promise<HostResult<O>> {
    const value = await this.process().request(op, hostOps[op].args.parse(args));
    const parsed = hostOps[op].result.safeParse(value);
    if (!parsed.success) throw new WorkspaceHostError(`The workspace host answered ${op} with an unexpected value`);
    return parsed.data as HostResult<O>;
  }

  /**
   * Opens a stream (the server names it, so events that race the answer still find it);
   * `onData` gets each event, `onEnd` is called once if the host dies with the stream open.
   */
  async openStream(
    op: 'watch.start', args: Omit<HostArgs<'watch.start'>, 'stream'>,
    onData: (data: unknown) => void, onEnd: (reason: string) => void,
  ): Promise<HostStream> {
    const proc = this.process();
    const id = proc.newStreamId();
    let ended = false;
    proc.streams.set(id, { onData, onEnd: (reason) => { ended = true; onEnd(reason); } });
    try {
      await proc.request(op, hostOps[op].args.parse({ ...args, stream: id }));
    } catch (err) {
      proc.streams.delete(id);
      proc.armIdle();
      throw err;
    }
    return {
      id,
      close: async () => {
        if (ended || proc.exited) return;
        ended = true;
        proc.streams.delete(id);
        await proc.request('watch.stop', { stream: id }).catch(() => { /* host gone: the stream went with it */ });
        proc.armIdle();
      },
    };
  }

  /** Kills the host for good: later requests fail with "The workspace is closed". */
  dispose(): void {
    this.disposed = true;
    this.current?.kill();
  }

  private process(): HostProcess {
    if (this.disposed) throw new WorkspaceHostError('The workspace is closed.');
    if (this.current && !this.current.exited && !this.current.dying) return this.current;
    const launch = this.o.launcher.launch({
      // The server's own node: /usr is bound read-only into every sandbox.
      command: [process.execPath, '--input-type=module', '-e', PROGRAM],
      env: { TETHER_HOST_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES) },
      interactive: false, network: false,
    });
    const child = spawn(launch.argv[0]!, launch.argv.slice(1), { cwd: launch.cwd, env: launch.env as NodeJS.ProcessEnv, detached: true, stdio: 'pipe' });
    const untrack = this.o.track(() => proc.kill());
    const proc: HostProcess = new HostProcess(child, this.o.log, this.o.idleMs ?? HOST_IDLE_MS, (p) => {
      untrack();
      if (this.current === p) this.current = null;
    });
    this.current = proc;
    return proc;
  }
}
