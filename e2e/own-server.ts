// A Tether server of a spec's own: the production server in a child process, on a free port with
// its own data dir, for specs that kill, stop or restart it (or run two). The shared server of
// playwright.config.ts cannot be stopped by a spec.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killHost } from '../server/workspace/host/host-place.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** A fresh directory under the system's temp dir, traversable by workspace uids (bwrap binds what is under it). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

const START_TIMEOUT_MS = 120_000;

export interface OwnServerOptions {
  /** The data dir; a fresh temp dir by default. */
  dataDir?: string;
  /** Environment beside the production defaults (port, host, data dir, log level). */
  env?: Record<string, string | undefined>;
}

export class OwnServer {
  readonly url: string;
  private child: ChildProcess | null = null;

  private constructor(readonly port: number, readonly dataDir: string, private readonly o: OwnServerOptions) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Picks a port (and a data dir unless given) without starting it: its env may need its own URL. */
  static async create(o: OwnServerOptions | ((url: string) => OwnServerOptions) = {}): Promise<OwnServer> {
    const port = await freePort();
    const options = typeof o === 'function' ? o(`http://127.0.0.1:${port}`) : o;
    return new OwnServer(port, options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'tether-own-')), options);
  }

  /** create, then start. */
  static async start(o: OwnServerOptions = {}): Promise<OwnServer> {
    const server = await OwnServer.create(o);
    await server.start();
    return server;
  }

  get running(): boolean { return this.child !== null; }

  /** Starts it (again) on the same port and data dir, and waits until /healthz answers. */
  async start(): Promise<void> {
    if (this.child) throw new Error('the server is already running');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      stdio: 'ignore',
      env: {
        ...process.env, NODE_ENV: 'production', PORT: String(this.port), HOST: '127.0.0.1',
        TETHER_DATA_DIR: this.dataDir, TETHER_LOG_LEVEL: 'warn', ...this.o.env,
      },
    });
    this.child = child;
    let exit = '';
    child.once('exit', (code, signal) => { exit = signal ?? `code ${code}`; if (this.child === child) this.child = null; });
    // Generous: a cold start of the production server on a loaded 2-core machine.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`the server on port ${this.port} exited while starting (${exit})`);
      try { if ((await fetch(`${this.url}/healthz`)).ok) return; } catch { /* starting */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server on port ${this.port} did not answer /healthz within ${START_TIMEOUT_MS} ms`);
  }

  /** SIGTERM, as a deploy or `systemctl restart` does it: the server unmounts and leaves workspace hosts running. */
  stop(): Promise<void> { return this.signal('SIGTERM'); }

  /** SIGKILL: a crash. */
  kill(): Promise<void> { return this.signal('SIGKILL'); }

  async restart(how: 'stop' | 'kill' = 'stop'): Promise<void> {
    await (how === 'stop' ? this.stop() : this.kill());
    await this.start();
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}

/**
 * What a server stop leaves running on purpose: the workspace hosts (and their terminals) under a
 * workspaces dir. Killing them is also what a dead machine does to them.
 */
export async function killHosts(workspacesDir: string): Promise<void> {
  const hosts = path.join(workspacesDir, 'hosts');
  for (const dir of existsSync(hosts) ? readdirSync(hosts) : []) {
    await killHost({ dir: path.join(hosts, dir), runDir: path.join(hosts, dir, 'run'), runtimeDir: '' });
  }
}

/** Disk images a server stop kept mounted for their hosts. */
export function unmountVolumes(workspacesDir: string): void {
  const volumes = path.join(workspacesDir, 'volumes');
  for (const id of existsSync(volumes) ? readdirSync(volumes) : []) {
    try { execFileSync('umount', [path.join(volumes, id)], { stdio: 'ignore' }); } catch { /* not mounted */ }
  }
}
