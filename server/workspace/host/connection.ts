// One server connection to a running workspace host (over its Unix socket): matches answers to
// requests, routes watch events to their streams and pty output to its terminal, and tells all of
// them in words when the connection ends.
import type { Socket } from 'node:net';
import type { Logger } from '../../log.ts';
import type { PtyEvents } from '../provider.ts';
import {
  encodeFrame, FrameDecoder, hostMessageSchema, hostOps, splitPayload,
  type Frame, type HostArgs, type HostCast, type HostErrorCode, type HostOp, type HostResult,
} from './protocol.ts';

/** Long enough for a recursive delete of a large tree; a host silent for longer is wedged. */
export const HOST_REQUEST_TIMEOUT_MS = 5 * 60_000;

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

export interface StreamListener { onData(data: unknown): void; onEnd(reason: string): void }


type Settle = (err: Error | null, value?: unknown) => void;
interface Pending { settle: Settle; timer: NodeJS.Timeout }

export class HostConnection {
  readonly streams = new Map<number, StreamListener>();
  readonly ptys = new Map<string, PtyEvents>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextStream = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  closed = false;

  constructor(
    private readonly socket: Socket, private readonly log: Logger,
    /** Called when nothing is pending and no stream or pty is open for this long. */
    private readonly idle: { ms: number; run(): void },
    /** Called on a request timeout or a malformed frame: the host is wedged or confused. */
    private readonly onWedged: () => void,
    onClose: (reason: string) => void,
  ) {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) this.receive(frame);
      } catch (err) {
        this.log.error({ err }, 'workspace host sent a malformed frame; stopping it');
        this.onWedged();
      }
    });
    socket.on('error', (err) => this.log.debug({ err }, 'workspace host connection error'));
    socket.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      const reason = this.endReason ?? 'The workspace host stopped (its connection closed)';
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.settle(new WorkspaceHostError(`${reason}. The request was not completed; it restarts on the next request.`));
      }
      this.pending.clear();
      for (const s of this.streams.values()) s.onEnd(reason);
      this.streams.clear();
      for (const p of this.ptys.values()) p.onLost(reason);
      this.ptys.clear();
      onClose(reason);
    });
    this.armIdle();
  }

  /** Why the connection ended, when the owner knows better than "lost" (the host exited, was killed). */
  endReason: string | null = null;

  newStreamId(): number {
    return this.nextStream++;
  }

  /** Counts down to `idle.run` whenever nothing is pending and no stream or pty is open. */
  armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.pending.size > 0 || this.streams.size > 0 || this.ptys.size > 0 || this.closed) return;
    this.idleTimer = setTimeout(() => this.idle.run(), this.idle.ms);
    this.idleTimer.unref();
  }

  /** Runs one operation; the answer is checked against the protocol before it is believed. */
  call<O extends HostOp>(op: O, args: HostArgs<O>): Promise<HostResult<O>> {
    return new Promise((resolve, reject) => this.callThen(op, args, (err, value) => (err ? reject(err) : resolve(value!))));
  }

  /**
   * The same, with the answer handed over synchronously as its frame is read: a caller that must
   * act before the next frame (a pty replay, before the live output after it) uses this.
   */
  callThen<O extends HostOp>(op: O, args: HostArgs<O>, done: (err: Error | null, value?: HostResult<O>) => void): void {
    if (this.closed) return done(new WorkspaceHostError('The workspace host is not running.'));
    const id = this.nextId++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const timer = setTimeout(() => {
      this.log.error({ op }, 'workspace host did not answer in time; stopping it');
      this.onWedged();
    }, HOST_REQUEST_TIMEOUT_MS);
    const settle: Settle = (err, value) => {
      if (err) return done(err);
      const parsed = hostOps[op].result.safeParse(value);
      if (!parsed.success) return done(new WorkspaceHostError(`The workspace host answered ${op} with an unexpected value`));
      done(null, parsed.data as HostResult<O>);
    };
    this.pending.set(id, { settle, timer });
    try {
      const { fields, payload, bin } = splitPayload(hostOps[op].args.parse(args) as object);
      this.socket.write(encodeFrame({ t: 'req', id, op, args: fields, bin }, payload));
    } catch (err) {
      clearTimeout(timer);
      this.pending.delete(id);
      done(err as Error);
    }
  }

  /** An operation whose answer nobody waits for (keystrokes, resizes, acks). */
  cast<O extends HostCast>(op: O, args: HostArgs<O>): void {
    if (this.closed) return;
    this.socket.write(encodeFrame({ t: 'cast', op, args: hostOps[op].args.parse(args) }));
  }

  close(): void {
    this.socket.end();
  }

  destroy(reason: string): void {
    this.endReason ??= reason;
    this.socket.destroy();
  }

  private receive(frame: Frame): void {
    const parsed = hostMessageSchema.safeParse(JSON.parse(frame.json.toString('utf8')));
    if (!parsed.success) throw new Error(`unexpected message from the workspace host: ${parsed.error.message}`);
    const m = parsed.data;
    if (m.t === 'ev') {
      this.streams.get(m.stream)?.onData(m.data);
      return;
    }
    if (m.t === 'pty') {
      const listener = this.ptys.get(m.id);
      if (m.kind === 'exit') {
        listener?.onExit({ exitCode: m.exitCode, ...(m.signal ? { signal: m.signal } : {}) });
        return;
      }
      const data = frame.payload.toString('utf8');
      if (listener) listener.onData({ data, start: m.start, end: m.end });
      // Output of a pty this server does not follow (yet) is taken, so the host never pauses it for us.
      else this.cast('pty.ack', { id: m.id, chars: data.length });
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.settle(null, m.bin && typeof m.value === 'object' && m.value !== null ? { ...m.value, [m.bin]: frame.payload } : m.value);
    else p.settle(new HostOpError(m.error.code, m.error.message));
    this.armIdle();
  }
}
