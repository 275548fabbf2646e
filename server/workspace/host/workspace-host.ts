// The server's handle on one workspace's host process: connects to the host already running
// (one a previous server process started: it outlives us, with the terminals it owns), or starts
// one through the workspace launcher (so it runs sandboxed as the workspace uid), and starts it
// again on demand after it died — requests in flight at that moment fail with a
// WorkspaceHostError that says so, and open streams and ptys are told they ended.
import net from 'node:net';
import type { Logger } from '../../log.ts';
import type { Launcher } from '../launcher.ts';
import type { PtyEvents, PtyState, SandboxPty } from '../provider.ts';
import { HostConnection, WorkspaceHostError } from './connection.ts';
import { hostLogTail, hostSocket, hostToken, killHost, startHost, type HostPlace } from './host-place.ts';
import type { HostArgs, HostCast, HostOp, HostResult } from './protocol.ts';

export { HostOpError, WorkspaceHostError, HOST_REQUEST_TIMEOUT_MS } from './connection.ts';

/** A host with nothing to do (no terminal, no watch, no request) for this long exits; the next request starts another. */
export const HOST_IDLE_MS = 10 * 60_000;
/**
 * A host no server has connected to for this long exits, and its terminals with it: as long as
 * the terminal idle timeout (nobody can be attached without a server), so a server restart or
 * upgrade finds them, and a server that never comes back leaves nothing running for long.
 */
export const HOST_ORPHAN_EXIT_MS = 30 * 60_000;
/** How long a starting host may take to listen on its socket. */
const HOST_START_TIMEOUT_MS = 15_000;
const CONNECT_RETRY_MS = 20;

export interface HostStream { readonly id: number; close(): Promise<void> }

export class WorkspaceHost {
  private current: HostConnection | null = null;
  private stopping: Promise<void> | null = null;
  private connecting: Promise<HostConnection> | null = null;
  private disposed = false;

  constructor(private readonly o: {
    launcher: Launcher; place: HostPlace; log: Logger;
    /**
     * The workspace's network setting: its terminals run in the host's sandbox, so a host started
     * under the other setting is replaced (its terminals end) rather than reused.
     */
    network: boolean;
    /** Default HOST_IDLE_MS. */
    idleMs?: number;
    /** Default HOST_ORPHAN_EXIT_MS. */
    orphanExitMs?: number;
  }) {}

  /** Runs one operation in the host; the answer is checked against the protocol before it is returned. */
  async call<O extends HostOp>(op: O, args: HostArgs<O>): Promise<HostResult<O>> {
    return (await this.connection()).call(op, args);
  }

  /**
   * Opens a stream (the server names it, so events that race the answer still find it);
   * `onData` gets each event, `onEnd` is called once if the host dies with the stream open.
   */
  async openStream(
    op: 'watch.start', args: Omit<HostArgs<'watch.start'>, 'stream'>,
    onData: (data: unknown) => void, onEnd: (reason: string) => void,
  ): Promise<HostStream> {
    const conn = await this.connection();
    const id = conn.newStreamId();
    let ended = false;
    conn.streams.set(id, { onData, onEnd: (reason) => { ended = true; onEnd(reason); } });
    try {
      await conn.call(op, { ...args, stream: id });
    } catch (err) {
      conn.streams.delete(id);
      conn.armIdle();
      throw err;
    }
    return {
      id,
      close: async () => {
        if (ended || conn.closed) return;
        ended = true;
        conn.streams.delete(id);
        await conn.call('watch.stop', { stream: id }).catch(() => { /* host gone: the stream went with it */ });
        conn.armIdle();
      },
    };
  }

  /** Starts a pty in the host; `listener` is in place before its first output can arrive. */
  async openPty(args: HostArgs<'pty.open'>, listener: PtyEvents): Promise<{ state: PtyState; pty: SandboxPty }> {
    const conn = await this.connection();
    conn.ptys.set(args.id, listener);
    try {
      return { state: await conn.call('pty.open', args), pty: this.ptyHandle(conn, args.id) };
    } catch (err) {
      conn.ptys.delete(args.id);
      conn.armIdle();
      throw err;
    }
  }

  /**
   * The ptys a running host has (a previous server process opened them). Never starts a host:
   * none running means none survived.
   */
  async listPtys(): Promise<PtyState[]> {
    await this.stopping;
    const conn = this.current && !this.current.closed ? this.current : await this.connectExisting();
    return conn ? conn.call('pty.list', {}) : [];
  }

  /** Follows a pty the host already has (listPtys); null when the host is gone. */
  adoptPty(id: string, listener: PtyEvents): SandboxPty | null {
    const conn = this.current;
    if (!conn || conn.closed) return null;
    conn.ptys.set(id, listener);
    return this.ptyHandle(conn, id);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * The workspace was opened again (its network setting changed): later starts use the new
   * launcher, and a running host under the other network setting is replaced, its terminals
   * ending, since they run in its sandbox. One WorkspaceHost per workspace, so two openings
   * never take the host's one connection from each other.
   */
  reconfigure(launcher: Launcher, network: boolean): void {
    this.o.launcher = launcher;
    if (network === this.o.network) return;
    this.o.network = network;
    void this.stop('The workspace\'s network access changed');
  }

  /**
   * Ends the host and its terminals (killAll); the next request starts another. `killFirst` runs
   * before the host's process tree is killed: a caller that kills the whole workspace through its
   * cgroup leaves a dead host, and then no scan of every process for the tree is made.
   */
  async stop(reason = 'The workspace host was stopped with the workspace\'s processes', killFirst?: () => Promise<void>): Promise<void> {
    const conn = this.current;
    this.current = null;
    conn?.destroy(reason);
    // A request meanwhile waits for this, so it never reaches the host being killed.
    const stopping = (async () => { await killFirst?.(); await killHost(this.o.place); })().finally(() => { if (this.stopping === stopping) this.stopping = null; });
    this.stopping = stopping;
    await stopping;
  }

  /** Ends the host for good (the workspace is stopped): later requests fail with "The workspace is closed". */
  dispose(): void {
    this.disposed = true;
    void this.stop();
  }

  /**
   * The server is shutting down: a host with terminals keeps running for the next server; one
   * without any exits. Returns whether it still runs.
   */
  async release(): Promise<boolean> {
    this.disposed = true;
    const conn = this.current;
    if (!conn || conn.closed) return false;
    const exited = await conn.call('exit', { force: false }).catch(() => false);
    for (const p of conn.ptys.keys()) conn.ptys.delete(p);
    conn.destroy('The server is shutting down');
    return !exited;
  }

  private ptyHandle(conn: HostConnection, id: string): SandboxPty {
    const cast = <O extends HostCast>(op: O, args: HostArgs<O>) => conn.cast(op, args);
    return {
      write: (data) => cast('pty.write', { id, data }),
      resize: (cols, rows) => cast('pty.resize', { id, cols, rows }),
      ack: (chars) => cast('pty.ack', { id, chars }),
      replay: (from, done) => conn.callThen('pty.replay', { id, from }, done),
      kill: () => {
        if (!conn.ptys.delete(id)) return;
        conn.call('pty.close', { id }).catch((err: unknown) => this.o.log.warn({ err, id }, 'could not close a terminal in the workspace host'));
        conn.armIdle();
      },
      release: () => {
        conn.ptys.delete(id);
      },
    };
  }

  private connection(): Promise<HostConnection> {
    if (this.disposed) return Promise.reject(new WorkspaceHostError('The workspace is closed.'));
    if (this.current && !this.current.closed) return Promise.resolve(this.current);
    this.connecting ??= this.connectOrStart().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  private async connectOrStart(): Promise<HostConnection> {
    await this.stopping;
    const existing = await this.connectExisting();
    if (existing) return existing;
    const pid = await startHost({ launcher: this.o.launcher, place: this.o.place, orphanExitMs: this.o.orphanExitMs ?? HOST_ORPHAN_EXIT_MS, network: this.o.network });
    const deadline = Date.now() + HOST_START_TIMEOUT_MS;
    for (;;) {
      const conn = await this.connectExisting();
      if (conn) return conn;
      const alive = (() => { try { process.kill(pid, 0); return true; } catch { return false; } })();
      if (!alive || Date.now() > deadline) {
        if (alive) await killHost(this.o.place);
        const tail = await hostLogTail(this.o.place);
        throw new WorkspaceHostError(`The workspace host did not start${tail ? `: ${tail.split('\n').slice(-3).join(' / ')}` : ''}`);
      }
      await new Promise((r) => setTimeout(r, CONNECT_RETRY_MS));
    }
  }

  /** Connects and says hello to a host that is already listening; null when none is. */
  private async connectExisting(): Promise<HostConnection | null> {
    const token = await hostToken(this.o.place);
    if (!token) return null;
    const socket = await new Promise<net.Socket | null>((resolve) => {
      const s = net.connect(hostSocket(this.o.place));
      s.once('connect', () => { s.removeAllListeners('error'); resolve(s); });
      s.once('error', () => resolve(null));
    });
    if (!socket) return null;
    const log = this.o.log;
    const conn: HostConnection = new HostConnection(
      socket, log,
      { ms: this.o.idleMs ?? HOST_IDLE_MS, run: () => void conn.call('exit', { force: false }).catch(() => {}) },
      () => void this.kill(conn),
      (reason) => {
        if (this.current === conn) this.current = null;
        log.debug({ reason }, 'workspace host connection ended');
      },
    );
    try {
      const hello = await conn.call('hello', { token });
      if (hello.network !== this.o.network) {
        log.info({ ptys: hello.ptys }, 'the workspace\'s network setting changed: its host and terminals are restarted');
        await conn.call('exit', { force: true }).catch(() => {});
        conn.destroy('The workspace\'s network access changed');
        await killHost(this.o.place);
        return null;
      }
    } catch {
      conn.destroy('The workspace host refused the connection');
      return null;
    }
    if (this.disposed) {
      conn.destroy('The workspace is closed');
      throw new WorkspaceHostError('The workspace is closed.');
    }
    this.current = conn;
    return conn;
  }

  /** A wedged or confused host: its terminals end with it. */
  private async kill(conn: HostConnection): Promise<void> {
    conn.destroy('The workspace host stopped answering and was stopped');
    await killHost(this.o.place);
  }
}
