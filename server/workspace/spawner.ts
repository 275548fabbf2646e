// The server's side of the spawner (spawner-process.mjs): every process the server starts for a
// workspace — through runProcess or as a workspace host — is started by that small helper, so
// the fork happens in a few-MiB process instead of the server, and off the server's event loop.
// One spawner per server process, forked on first use (main.ts forks it first thing, while the
// server is still small), and forked again after it died; requests in flight then fail.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROGRAM = fileURLToPath(new URL('./spawner-process.mjs', import.meta.url));

export interface StartOptions {
  cwd: string;
  env: Record<string, string>;
  /** Written to the process's stdin, which is then closed. */
  stdin?: string;
  /** 'pipe': onOutput gets stdout (1) and stderr (2); 'ignore': both are discarded (unless stderrFile). */
  output: 'pipe' | 'ignore';
  /** stderr goes to this file (created 0600), not to onOutput. */
  stderrFile?: string;
  onOutput?: (fd: 1 | 2, chunk: Buffer) => void;
  /** After all its output; not called when it could not be started (the promise rejects instead). */
  onExit?: (code: number | null, signal: string | null) => void;
}

interface Pending {
  o: StartOptions;
  started: boolean;
  resolve: (pid: number) => void;
  reject: (e: Error) => void;
}

type FromSpawner =
  | { t: 'spawned'; id: number; pid: number }
  | { t: 'error'; id: number; message: string }
  | { t: 'out'; id: number; fd: 1 | 2; data: Uint8Array }
  | { t: 'exit'; id: number; code: number | null; signal: string | null };

export class SpawnerError extends Error {
  override name = 'SpawnerError';
}

class Spawner {
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** Forks the spawner if none runs. */
  ensure(): ChildProcess {
    if (this.child) return this.child;
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
    const child = fork(PROGRAM, [], {
      // Not the server's flags (tsx, inspector, vitest's loaders): the program is plain JavaScript.
      execArgv: [],
      env: env as NodeJS.ProcessEnv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('message', (m: FromSpawner) => this.receive(m));
    child.on('exit', () => {
      if (this.child === child) this.child = null;
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) {
        // Started ones were killed with the spawner (--die-with-parent) or live on detached.
        if (p.started) p.o.onExit?.(null, 'SIGKILL');
        else p.reject(new SpawnerError('The process spawner exited before starting the process'));
      }
    });
    child.on('error', () => { /* 'exit' follows and fails what was pending */ });
    this.child = child;
    this.idle();
    return child;
  }

  start(argv: string[], o: StartOptions): Promise<number> {
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { o, started: false, resolve, reject });
      this.busy();
      child.send({ t: 'spawn', id, argv, cwd: o.cwd, env: o.env, stdin: o.stdin ?? '', output: o.output, stderrFile: o.stderrFile });
    });
  }

  private receive(m: FromSpawner): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.t) {
      case 'spawned':
        p.started = true;
        p.resolve(m.pid);
        // Nobody waits for the exit of a process whose output nobody reads (a workspace host).
        if (p.o.output === 'ignore' && !p.o.onExit) this.done(m.id);
        return;
      case 'error':
        this.done(m.id);
        p.reject(new SpawnerError(m.message));
        return;
      case 'out':
        p.o.onOutput?.(m.fd, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        return;
      case 'exit':
        this.done(m.id);
        p.o.onExit?.(m.code, m.signal);
    }
  }

  private done(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.idle();
  }

  /** While something is pending the channel keeps the server's event loop alive; otherwise it does not. */
  private busy(): void {
    this.child?.ref();
    this.child?.channel?.ref();
  }

  private idle(): void {
    this.child?.unref();
    this.child?.channel?.unref();
  }
}

const spawner = new Spawner();

/** Forks the spawner now (server start-up), rather than from a grown server on first use. */
export function startSpawner(): void {
  spawner.ensure();
}

/**
 * Starts `argv` detached (its own process group) from the spawner; resolves with its pid once it
 * runs, rejects when it could not be started (no such program, a bad cwd).
 */
export function startProcess(argv: string[], o: StartOptions): Promise<number> {
  return spawner.start(argv, o);
}
