// Terminals of all sessions in this server: one sandboxed pty each, outliving the browsers
// that watch it. No transport here: Socket.IO handlers call this API.
//
//   const t = manager.open({ sessionId, workspace, cols, rows })       → { ok, terminal } | { ok: false, error }
//   const a = manager.attach(t.id, lastOffset ?? null, { onData, onExit })
//     a.replay: { data, start, end, missedBytes }  — send first; missedBytes > 0 means "output truncated"
//     onData({ data, start, end })                 — then live chunks, contiguous with the replay
//     a.ack(chars)                                 — as the client renders (every ACK_CHUNK_CHARS)
//     a.detach()                                   — on disconnect; the terminal keeps running
//   manager.write(id, input) · resize(id, cols, rows) · close(id) · closeSession(sessionId) · closeAll()
//
// Offsets count bytes of UTF-8 output since the terminal started; a client stores `end` of the
// last chunk it rendered and passes it to attach() after a reconnect: nothing missed, nothing twice.
//
// Flow control follows VS Code (platform/terminal/common/terminal.ts), with a wider window (see
// HIGH_WATERMARK_CHARS): each attachment counts characters sent but not acknowledged; above
// HIGH_WATERMARK_CHARS for any attachment the pty is paused (the program blocks on write), below
// LOW_WATERMARK_CHARS for all it resumes. A detached
// client holds nothing: with no one attached the pty runs and the ring buffer drops its oldest
// bytes, so server memory per terminal is bounded by the buffer either way.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { SandboxPty, Workspace } from './provider.ts';
import { RingBuffer } from './ring-buffer.ts';
import { ShellIntegrationParser, type ShellCommand } from './shell-integration.ts';

/**
 * VS Code pauses at 100,000 and resumes at 5,000 chars, tuned for local IPC. Over a network the
 * window must cover the bandwidth-delay product: with a ~12 ms ack round trip through a browser,
 * 100,000 capped a flood at ~5 MiB/s (bench/ide-terminal.ts throughput). At 1,000,000 the browser
 * is the limit again, and the server still holds at most ~1 MB per slow client.
 */
export const HIGH_WATERMARK_CHARS = 1_000_000;
export const LOW_WATERMARK_CHARS = 500_000;
/** Clients acknowledge in steps of this many characters (the UI reads this constant). */
export const ACK_CHUNK_CHARS = 5_000;
/** Small pty writes within this window go out as one message. */
export const BATCH_MS = 5;
/** A batch this large goes out at once rather than waiting for the timer. */
const BATCH_MAX_CHARS = 64 * 1024;
export const DEFAULT_SCROLLBACK_BYTES = 1024 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_MAX_TERMINALS_PER_SESSION = 8;

export interface TerminalChunk { data: string; start: number; end: number }
export interface TerminalExit { exitCode: number; signal?: number }

export interface TerminalListener {
  onData(chunk: TerminalChunk): void;
  onExit?(exit: TerminalExit): void;
}

export interface TerminalInfo {
  id: string;
  sessionId: string;
  cols: number;
  rows: number;
  createdAt: string;
  /** Offset just past the last byte produced. */
  end: number;
  exit: TerminalExit | null;
  attached: number;
}

export interface Attachment {
  replay: TerminalChunk & { missedBytes: number };
  ack(chars: number): void;
  detach(): void;
}

export type TerminalError = 'NOT_FOUND' | 'TOO_MANY_TERMINALS' | 'SPAWN_FAILED';
export type Result<T> = { ok: true; value: T } | { ok: false; error: TerminalError; message: string };

/** A command the shell reported (shell-integration.ts); userId: who last typed into the terminal. */
export interface TerminalCommand extends ShellCommand { sessionId: string; terminalId: string; userId: string | null }

export interface TerminalManagerOptions {
  log: Logger;
  onCommand?(command: TerminalCommand): void;
  idleTimeoutMs?: number;
  scrollbackBytes?: number;
  maxPerSession?: number;
}

interface Client { listener: TerminalListener; unacked: number }

class Terminal {
  readonly clients = new Set<Client>();
  readonly buffer: RingBuffer;
  exit: TerminalExit | null = null;
  paused = false;
  private pending = '';
  private batchTimer: NodeJS.Timeout | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  readonly createdAt = new Date().toISOString();
  /** Strips the shell's OSC 633 reports out of what clients and the ring buffer see. */
  readonly shell = new ShellIntegrationParser();
  /** The user whose input reached the pty last: the one a reported command is attributed to. */
  lastWriter: string | null = null;

  constructor(
    readonly id: string,
    readonly sessionId: string,
    readonly pty: SandboxPty,
    public cols: number,
    public rows: number,
    scrollbackBytes: number,
  ) {
    this.buffer = new RingBuffer(scrollbackBytes);
  }

  /**
   * Leading-edge batching: a chunk with no batch open (a keystroke's echo) goes out at once and
   * opens a BATCH_MS window; whatever arrives inside the window is merged into one message.
   * A flood thus costs at most two messages per window, and an echo never waits.
   */
  push(data: string): void {
    this.pending += data;
    if (this.batchTimer) {
      if (this.pending.length >= BATCH_MAX_CHARS) this.send();
      return;
    }
    this.send();
    this.batchTimer = setTimeout(() => { this.batchTimer = null; this.send(); }, BATCH_MS);
  }

  /** Sends what is pending now and closes the batch window (attach, exit, dispose). */
  flush(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    this.send();
  }

  private send(): void {
    if (!this.pending) return;
    const data = this.pending;
    this.pending = '';
    const start = this.buffer.end;
    const end = this.buffer.append(Buffer.from(data, 'utf8'));
    for (const c of this.clients) {
      c.unacked += data.length;
      c.listener.onData({ data, start, end });
    }
    this.updateFlow();
  }

  updateFlow(): void {
    let max = 0;
    for (const c of this.clients) max = Math.max(max, c.unacked);
    if (!this.paused && max > HIGH_WATERMARK_CHARS) {
      this.paused = true;
      this.pty.pause();
    } else if (this.paused && max < LOW_WATERMARK_CHARS) {
      this.paused = false;
      this.pty.resume();
    }
  }

  dispose(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.batchTimer = this.idleTimer = null;
  }

  info(): TerminalInfo {
    return {
      id: this.id, sessionId: this.sessionId, cols: this.cols, rows: this.rows, createdAt: this.createdAt,
      end: this.buffer.end + Buffer.byteLength(this.pending), exit: this.exit, attached: this.clients.size,
    };
  }
}

export class TerminalManager {
  private readonly terminals = new Map<string, Terminal>();
  private readonly idleTimeoutMs: number;
  private readonly scrollbackBytes: number;
  private readonly maxPerSession: number;

  constructor(private readonly o: TerminalManagerOptions) {
    this.idleTimeoutMs = o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.scrollbackBytes = o.scrollbackBytes ?? DEFAULT_SCROLLBACK_BYTES;
    this.maxPerSession = o.maxPerSession ?? DEFAULT_MAX_TERMINALS_PER_SESSION;
  }

  open(req: {
    sessionId: string; workspace: Pick<Workspace, 'spawnPty'>; cols: number; rows: number; cwd?: string; command?: string[]; env?: Record<string, string>;
  }): Result<TerminalInfo> {
    if (this.list(req.sessionId).length >= this.maxPerSession) {
      return { ok: false, error: 'TOO_MANY_TERMINALS', message: `At most ${this.maxPerSession} terminals per session` };
    }
    let pty: SandboxPty;
    try {
      pty = req.workspace.spawnPty({ cols: req.cols, rows: req.rows, cwd: req.cwd, command: req.command, env: req.env });
    } catch (e) {
      this.o.log.error({ err: e, sessionId: req.sessionId }, 'terminal spawn failed');
      return { ok: false, error: 'SPAWN_FAILED', message: `Could not start a terminal: ${(e as Error).message}` };
    }
    const t = new Terminal(randomUUID(), req.sessionId, pty, req.cols, req.rows, this.scrollbackBytes);
    this.terminals.set(t.id, t);
    pty.onData((d) => {
      const { output, commands } = t.shell.feed(d);
      if (output) t.push(output);
      for (const c of commands) this.o.onCommand?.({ ...c, sessionId: t.sessionId, terminalId: t.id, userId: t.lastWriter });
    });
    pty.onExit((e) => {
      t.flush();
      t.exit = e;
      for (const c of t.clients) c.listener.onExit?.(e);
    });
    this.armIdle(t);
    this.o.log.debug({ terminalId: t.id, sessionId: req.sessionId, pid: pty.pid }, 'terminal opened');
    return { ok: true, value: t.info() };
  }

  list(sessionId: string): TerminalInfo[] {
    return [...this.terminals.values()].filter((t) => t.sessionId === sessionId).map((t) => t.info());
  }

  get(terminalId: string): TerminalInfo | null {
    return this.terminals.get(terminalId)?.info() ?? null;
  }

  /** Terminals open in this process (for /metrics). */
  get size(): number { return this.terminals.size; }

  /** `fromOffset` null: everything still buffered (a client seeing this terminal for the first time). */
  attach(terminalId: string, fromOffset: number | null, listener: TerminalListener): Result<Attachment> {
    const t = this.terminals.get(terminalId);
    if (!t) return { ok: false, error: 'NOT_FOUND', message: `No terminal ${terminalId}` };
    t.flush();
    const slice = t.buffer.since(fromOffset ?? t.buffer.start);
    const data = slice.data.toString('utf8');
    const client: Client = { listener, unacked: data.length };
    t.clients.add(client);
    if (t.idleTimer) clearTimeout(t.idleTimer);
    t.idleTimer = null;
    t.updateFlow();
    if (t.exit) queueMicrotask(() => listener.onExit?.(t.exit!));
    let attached = true;
    return {
      ok: true,
      value: {
        replay: { data, start: slice.start, end: slice.end, missedBytes: slice.missed },
        ack: (chars) => {
          if (!attached || !(chars > 0)) return;
          client.unacked = Math.max(0, client.unacked - chars);
          t.updateFlow();
        },
        detach: () => {
          if (!attached) return;
          attached = false;
          t.clients.delete(client);
          t.updateFlow();
          if (t.clients.size === 0) this.armIdle(t);
        },
      },
    };
  }

  write(terminalId: string, data: string, userId: string | null = null): boolean {
    const t = this.terminals.get(terminalId);
    if (!t || t.exit) return false;
    t.lastWriter = userId;
    t.pty.write(data);
    return true;
  }

  resize(terminalId: string, cols: number, rows: number): boolean {
    const t = this.terminals.get(terminalId);
    if (!t || t.exit) return false;
    t.cols = cols;
    t.rows = rows;
    t.pty.resize(cols, rows);
    return true;
  }

  close(terminalId: string): boolean {
    const t = this.terminals.get(terminalId);
    if (!t) return false;
    this.terminals.delete(terminalId);
    t.dispose();
    t.pty.kill();
    return true;
  }

  closeSession(sessionId: string): number {
    const ids = [...this.terminals.values()].filter((t) => t.sessionId === sessionId).map((t) => t.id);
    for (const id of ids) this.close(id);
    return ids.length;
  }

  closeAll(): void {
    for (const id of [...this.terminals.keys()]) this.close(id);
  }

  /** With nobody attached for idleTimeoutMs, a terminal ends (its output would go unseen anyway). */
  private armIdle(t: Terminal): void {
    if (t.idleTimer) clearTimeout(t.idleTimer);
    t.idleTimer = setTimeout(() => {
      this.o.log.info({ terminalId: t.id, sessionId: t.sessionId }, 'terminal closed after idle timeout');
      this.close(t.id);
    }, this.idleTimeoutMs);
    t.idleTimer.unref();
  }
}
