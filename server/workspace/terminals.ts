// Terminals of all sessions in this server. Each pty lives in its workspace's host process (with
// its ring buffer), which outlives this server: a restarted server adopts the ptys again. No
// transport here: Socket.IO handlers call this API.
//
//   const t = await manager.open({ sessionId, workspace, cols, rows })  → { ok, value } | { ok: false, error }
//   const a = await manager.attach(t.id, lastOffset ?? null, { onData, onExit }, { userId })
//     onData({ data, start, end, truncated? })     — first the replay from the host's ring buffer
//                                                    (truncated: bytes asked for were dropped), then
//                                                    live chunks, contiguous with it
//     a.ack(chars)                                 — as the client renders (every TERMINAL_ACK_CHARS)
//     a.detach()                                   — on disconnect; the terminal keeps running
//   manager.write(id, input, userId) · resize(id, cols, rows, userId) · close(id) · closeSession(sessionId)
//   manager.takeOver(id, userId)                   — input control moves to userId
//   manager.adopt(sessionId, workspace, ids, controllers) — at start-up: follow the ptys the host kept
//
// Control: a terminal opened by a person takes input (and resizes) from one person at a time, its
// controller — first its opener, then whoever takes over. Everyone else attached only watches.
// The rule lives here, not in the transport, so no path to the pty can skip it.
//   manager.releaseAll()                           — at shutdown: leave every pty running in its host
//
// Offsets count bytes of UTF-8 output since the terminal started; a client stores `end` of the
// last chunk it rendered and passes it to attach() after a reconnect: nothing missed, nothing twice.
//
// Flow control (pty-flow.ts): each attachment counts characters sent but not acknowledged. The
// host counts what it sent us; we acknowledge to it what the slowest attached client has taken
// (everything, with nobody attached), so the host pauses the pty when a browser falls behind by
// HIGH_WATERMARK_CHARS and this process never holds more than that per client. With nobody
// attached, acknowledgements are paced (unwatched-pace.ts) so an unwatched flood costs little.
// While the controller is attached, only the controller's browsers pace the pty, and a share
// link's viewer never does: a watcher that falls a window behind is sent nothing more until it
// has caught up, then gets the bytes it missed from the host's ring buffer (marked truncated if
// they already left it), so a slow reviewer never slows the terminal for the person typing, nor
// makes this process hold more.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { PtyChunk, PtyEvents, PtyExit, SandboxPty, Workspace } from './provider.ts';
import { ACK_CHUNK_CHARS, DEFAULT_SCROLLBACK_BYTES, HIGH_WATERMARK_CHARS, LOW_WATERMARK_CHARS } from './pty-flow.ts';
import { ShellIntegrationParser, type ShellCommand } from './shell-integration.ts';
import { UNWATCHED_TICK_MS, UnwatchedPace } from './unwatched-pace.ts';

export { ACK_CHUNK_CHARS, HIGH_WATERMARK_CHARS, LOW_WATERMARK_CHARS } from './pty-flow.ts';

/** Small pty writes within this window go out as one message. */
export const BATCH_MS = 5;
/** A batch this large goes out at once rather than waiting for the timer. */
const BATCH_MAX_CHARS = 64 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_MAX_TERMINALS_PER_SESSION = 8;

export interface TerminalChunk extends PtyChunk {
  /** Set on a replay that starts later than asked: the bytes between had left the ring buffer. */
  truncated?: boolean;
}
export interface TerminalExit extends PtyExit {
  /** The terminal ended because its workspace host did (not its program), in words. */
  reason?: string;
}

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
  /** The user whose input the terminal takes; null: a terminal nobody opened (tests, tools) takes anyone's. */
  controller: string | null;
}

export interface Attachment {
  ack(chars: number): void;
  detach(): void;
}

export type TerminalError = 'NOT_FOUND' | 'TOO_MANY_TERMINALS' | 'SPAWN_FAILED' | 'NOT_IN_CONTROL';
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

/** Who attaches: `userId` null for a terminal nobody opened (tests, tools). */
export interface Watcher {
  userId: string | null;
  /** A share link's viewer: never holds the pty back, however slow. */
  viaLink?: boolean;
}

interface Client extends Watcher {
  listener: TerminalListener;
  unacked: number;
  /** End offset of the last output sent to it: where its catch-up read resumes. */
  sentEnd: number;
  /** A watcher a window behind: sent nothing until it has caught up (`catchUp`). */
  lagging: boolean;
  /** Its catch-up read is on its way from the host. */
  reading: boolean;
}

/** Output that strips the shell's OSC 633 reports, for a replay (its commands were reported live). */
const withoutReports = (text: string) => new ShellIntegrationParser().feed(text).output;

class Terminal {
  readonly clients = new Set<Client>();
  exit: TerminalExit | null = null;
  /** Null while the host is still starting it. */
  pty: SandboxPty | null = null;
  /** Offset just past the last byte the host sent. */
  end = 0;
  /** Characters the host sent that we have not acknowledged to it. */
  private owed = 0;
  private pending: TerminalChunk | null = null;
  /** Start of output the host sent that held only shell reports (nothing to send yet). */
  private unsentStart: number | null = null;
  private batchTimer: NodeJS.Timeout | null = null;
  private readonly pace = new UnwatchedPace();
  /** Settles again once the pace allows more, while unwatched output waits for acknowledgement. */
  private paceTimer: NodeJS.Timeout | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  /** Strips the shell's OSC 633 reports out of what clients see. */
  readonly shell = new ShellIntegrationParser();
  /** The user whose input reached the pty last: the one a reported command is attributed to. */
  lastWriter: string | null = null;
  controller: string | null = null;

  constructor(
    readonly id: string,
    readonly sessionId: string,
    public cols: number,
    public rows: number,
    readonly createdAt: string,
  ) {}

  /** Output from the host: `chars` is what the host counted, `output` what clients will see. */
  receive(output: string, chunk: PtyChunk): void {
    this.owed += chunk.data.length;
    this.end = chunk.end;
    // A chunk that held only reports sends nothing, but its range is still covered: the next
    // chunk sent starts where it started, so a client never sees a gap in the offsets (and a
    // client that drops chunks after a gap, as a reconnect race would make one, drops nothing).
    if (!output) {
      this.unsentStart ??= chunk.start;
    } else {
      this.push({ data: output, start: this.unsentStart ?? chunk.start, end: chunk.end });
      this.unsentStart = null;
    }
    this.settleHost();
  }

  /**
   * Leading-edge batching: a chunk with no batch open (a keystroke's echo) goes out at once and
   * opens a BATCH_MS window; whatever arrives inside the window is merged into one message.
   * A flood thus costs at most two messages per window, and an echo never waits.
   */
  private push(chunk: PtyChunk): void {
    this.pending = this.pending ? { data: this.pending.data + chunk.data, start: this.pending.start, end: chunk.end } : chunk;
    if (this.batchTimer) {
      if (this.pending.data.length >= BATCH_MAX_CHARS) this.send();
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
    const chunk = this.pending;
    if (!chunk) return;
    this.pending = null;
    const controlled = this.controllerAttached();
    for (const c of this.clients) {
      if (c.lagging) continue;
      if (!this.paces(c, controlled) && c.unacked + chunk.data.length > HIGH_WATERMARK_CHARS) {
        c.lagging = true;
        continue;
      }
      c.unacked += chunk.data.length;
      c.sentEnd = chunk.end;
      c.listener.onData(chunk);
    }
  }

  private controllerAttached(): boolean {
    if (this.controller === null) return false;
    for (const c of this.clients) if (c.userId === this.controller) return true;
    return false;
  }

  /** Whose acknowledgements the pty waits for: the controller's browsers when attached, else every member's. */
  private paces(c: Client, controlled: boolean): boolean {
    return !c.viaLink && (!controlled || c.userId === this.controller);
  }

  /** A client took `chars` more of the output. */
  taken(c: Client, chars: number): void {
    c.unacked = Math.max(0, c.unacked - chars);
    if (c.lagging && !c.reading && c.unacked <= LOW_WATERMARK_CHARS) this.catchUp(c);
    this.settleHost();
  }

  /**
   * Sends a watcher that fell behind what it missed, read again from the host's ring buffer. The
   * answer is acted on as it is read, before later output (as an attach's replay), so what is
   * batched is older than the read and everything after reaches the client live.
   */
  private catchUp(c: Client): void {
    c.reading = true;
    this.pty!.replay(c.sentEnd, (err, slice) => {
      c.reading = false;
      // A host that cannot answer is going away: the terminal's exit reaches the client instead.
      if (err || !slice || !this.clients.has(c)) return;
      this.flush();
      c.lagging = false;
      const data = withoutReports(slice.data.toString('utf8'));
      c.unacked += data.length;
      c.sentEnd = slice.end;
      if (data || slice.missed > 0) c.listener.onData({ data, start: slice.start, end: slice.end, ...(slice.missed > 0 ? { truncated: true } : {}) });
    });
  }

  /**
   * Acknowledges to the host what every client that paces the pty has taken: the host's count
   * then equals the slowest one's, and it pauses the pty past the high watermark.
   */
  settleHost(): void {
    if (!this.pty) return;
    const controlled = this.controllerAttached();
    let pacers = 0;
    let slowest = 0;
    for (const c of this.clients) {
      if (!this.paces(c, controlled)) continue;
      pacers++;
      slowest = Math.max(slowest, c.unacked);
    }
    let surplus = 0;
    if (pacers > 0) surplus = this.owed - slowest;
    else if (this.owed >= ACK_CHUNK_CHARS) {
      // Nobody attached who paces it (no member, or only links' viewers): unwatched.
      surplus = this.pace.take(this.owed, ACK_CHUNK_CHARS);
      if (surplus < this.owed && !this.paceTimer) {
        this.paceTimer = setTimeout(() => { this.paceTimer = null; this.settleHost(); }, UNWATCHED_TICK_MS);
      }
    }
    if (surplus < ACK_CHUNK_CHARS) return;
    this.owed -= surplus;
    this.pty.ack(surplus);
  }

  dispose(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.batchTimer = this.idleTimer = this.paceTimer = null;
  }

  info(): TerminalInfo {
    return {
      id: this.id, sessionId: this.sessionId, cols: this.cols, rows: this.rows, createdAt: this.createdAt,
      end: this.end, exit: this.exit, attached: this.clients.size, controller: this.controller,
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

  async open(req: {
    sessionId: string; workspace: Pick<Workspace, 'openPty'>; cols: number; rows: number; cwd?: string; command?: string[]; env?: Record<string, string>;
    /** Who opened it: the first to control its input. */
    controller?: string | null;
  }): Promise<Result<TerminalInfo>> {
    if (this.list(req.sessionId).length >= this.maxPerSession) {
      return { ok: false, error: 'TOO_MANY_TERMINALS', message: `At most ${this.maxPerSession} terminals per session` };
    }
    const t = new Terminal(randomUUID(), req.sessionId, req.cols, req.rows, new Date().toISOString());
    t.controller = req.controller ?? null;
    // Counted at once, so racing opens cannot pass the limit together.
    this.terminals.set(t.id, t);
    try {
      const { pty, state } = await req.workspace.openPty(
        { id: t.id, cols: req.cols, rows: req.rows, cwd: req.cwd, command: req.command, env: req.env, flow: { scrollbackBytes: this.scrollbackBytes } },
        this.events(t),
      );
      t.pty = pty;
      t.end = Math.max(t.end, state.end);
    } catch (e) {
      this.terminals.delete(t.id);
      this.o.log.error({ err: e, sessionId: req.sessionId }, 'terminal spawn failed');
      return { ok: false, error: 'SPAWN_FAILED', message: `Could not start a terminal: ${(e as Error).message}` };
    }
    if (!this.terminals.has(t.id)) {
      // Closed (its session stopped) while the host was starting it.
      t.pty.kill();
      return { ok: false, error: 'NOT_FOUND', message: 'The terminal was closed while it started.' };
    }
    this.armIdle(t);
    this.o.log.debug({ terminalId: t.id, sessionId: req.sessionId }, 'terminal opened');
    return { ok: true, value: t.info() };
  }

  /**
   * Follows again the ptys a previous server process left running in the workspace's host.
   * `ids`: the session's terminals the event log shows open; a pty of the host that is not one
   * of them belongs to nobody and is ended. `controllers`: who had control of each, from the log.
   * Returns the ids adopted.
   */
  async adopt(sessionId: string, workspace: Pick<Workspace, 'ptys' | 'adoptPty'>, ids: string[], controllers: ReadonlyMap<string, string | null> = new Map()): Promise<string[]> {
    const wanted = new Set(ids);
    const adopted: string[] = [];
    for (const state of await workspace.ptys()) {
      if (!wanted.has(state.id) || this.terminals.has(state.id)) {
        if (!this.terminals.has(state.id)) workspace.adoptPty(state.id, { onData: () => {}, onExit: () => {}, onLost: () => {} })?.kill();
        continue;
      }
      const t = new Terminal(state.id, sessionId, state.cols, state.rows, state.createdAt);
      t.end = state.end;
      t.exit = state.exit;
      t.controller = controllers.get(state.id) ?? null;
      const pty = workspace.adoptPty(state.id, this.events(t));
      if (!pty) continue;
      t.pty = pty;
      this.terminals.set(t.id, t);
      this.armIdle(t);
      adopted.push(t.id);
    }
    return adopted;
  }

  /**
   * A terminal the event log shows open that did not survive a restart: listed as ended, with the
   * reason, until someone closes its tab (or nobody looks for idleTimeoutMs).
   */
  markLost(sessionId: string, terminalId: string, reason: string): void {
    if (this.terminals.has(terminalId)) return;
    const t = new Terminal(terminalId, sessionId, 80, 24, new Date().toISOString());
    t.exit = { exitCode: -1, reason };
    this.terminals.set(terminalId, t);
    this.armIdle(t);
  }

  private events(t: Terminal): PtyEvents {
    return {
      onData: (chunk) => {
        const { output, commands } = t.shell.feed(chunk.data);
        t.receive(output, chunk);
        for (const c of commands) this.o.onCommand?.({ ...c, sessionId: t.sessionId, terminalId: t.id, userId: t.lastWriter });
      },
      onExit: (e) => this.ended(t, e),
      onLost: (reason) => this.ended(t, { exitCode: -1, reason: `The terminal ended: ${reason}.` }),
    };
  }

  private ended(t: Terminal, exit: TerminalExit): void {
    if (t.exit) return;
    t.flush();
    t.exit = exit;
    for (const c of t.clients) c.listener.onExit?.(exit);
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
  /** While the controller is attached, only the controller's browsers pace the pty; a link's viewer never does. */
  attach(terminalId: string, fromOffset: number | null, listener: TerminalListener, watcher: Watcher = { userId: null }): Promise<Result<Attachment>> {
    const t = this.terminals.get(terminalId);
    if (t?.exit?.reason) return Promise.resolve({ ok: false, error: 'NOT_FOUND', message: t.exit.reason });
    if (!t?.pty) return Promise.resolve({ ok: false, error: 'NOT_FOUND', message: `No terminal ${terminalId}` });
    return new Promise((resolve) => t.pty!.replay(fromOffset, (err, slice) => {
      if (err || !slice) return resolve({ ok: false, error: 'NOT_FOUND', message: err?.message ?? `No terminal ${terminalId}` });
      // This runs as the answer is read, before any later output: what is batched here is older
      // than the replay's end, and everything after reaches the new client live.
      t.flush();
      const data = withoutReports(slice.data.toString('utf8'));
      const client: Client = { ...watcher, listener, unacked: data.length, sentEnd: slice.end, lagging: false, reading: false };
      t.clients.add(client);
      if (t.idleTimer) clearTimeout(t.idleTimer);
      t.idleTimer = null;
      if (data || slice.missed > 0) listener.onData({ data, start: slice.start, end: slice.end, ...(slice.missed > 0 ? { truncated: true } : {}) });
      if (t.exit) listener.onExit?.(t.exit);
      let attached = true;
      resolve({
        ok: true,
        value: {
          ack: (chars) => {
            if (attached && chars > 0) t.taken(client, chars);
          },
          detach: () => {
            if (!attached) return;
            attached = false;
            t.clients.delete(client);
            t.settleHost();
            if (t.clients.size === 0 && this.terminals.get(t.id) === t) this.armIdle(t);
          },
        },
      });
    }));
  }

  /** Input from `userId`; refused (NOT_IN_CONTROL) from anyone but the terminal's controller. */
  write(terminalId: string, data: string, userId: string | null = null): Result<void> {
    const t = this.usable(terminalId, userId);
    if (!t.ok) return t;
    t.value.lastWriter = userId;
    t.value.pty!.write(data);
    return { ok: true, value: undefined };
  }

  /** The pty's size follows its controller's screen; a watcher's resize is refused like its input. */
  resize(terminalId: string, cols: number, rows: number, userId: string | null = null): Result<void> {
    const r = this.usable(terminalId, userId);
    if (!r.ok) return r;
    const t = r.value;
    t.cols = cols;
    t.rows = rows;
    t.pty!.resize(cols, rows);
    return { ok: true, value: undefined };
  }

  /** Input control moves to `userId` (who may do so is the caller's to decide: session access). */
  takeOver(terminalId: string, userId: string): Result<{ from: string | null; to: string }> {
    const t = this.terminals.get(terminalId);
    if (!t?.pty || t.exit) return { ok: false, error: 'NOT_FOUND', message: t?.exit?.reason ?? 'The terminal has ended.' };
    const from = t.controller;
    t.controller = userId;
    return { ok: true, value: { from, to: userId } };
  }

  private usable(terminalId: string, userId: string | null): Result<Terminal> {
    const t = this.terminals.get(terminalId);
    if (!t?.pty || t.exit) return { ok: false, error: 'NOT_FOUND', message: 'The terminal has ended.' };
    if (t.controller !== null && t.controller !== userId) return { ok: false, error: 'NOT_IN_CONTROL', message: 'Someone else has control of this terminal: take over to type in it.' };
    return { ok: true, value: t };
  }

  close(terminalId: string): boolean {
    const t = this.terminals.get(terminalId);
    if (!t) return false;
    this.terminals.delete(terminalId);
    t.dispose();
    t.pty?.kill();
    return true;
  }

  closeSession(sessionId: string): number {
    const ids = [...this.terminals.values()].filter((t) => t.sessionId === sessionId).map((t) => t.id);
    for (const id of ids) this.close(id);
    return ids.length;
  }

  /** Server shutdown: stop following every terminal; each keeps running in its workspace's host. */
  releaseAll(): void {
    for (const t of this.terminals.values()) {
      t.dispose();
      t.pty?.release();
    }
    this.terminals.clear();
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
