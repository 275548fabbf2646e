// The two systems bench/terminal/run.ts and profile.ts drive: Tether (production build, fresh
// data dir, one signed-in admin) and the lean baseline page (baseline-server.mjs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { io as connect, type Socket } from 'socket.io-client';
import { PRODUCTION_MALLOC_ENV, PRODUCTION_NODE_ARGS } from '../../scripts/lib/server-command.mjs';
import { ApiClient, cookieFrom } from '../../test/support/app.ts';

const root = path.resolve(import.meta.dirname, '../..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const load = () => loadavg()[0]!;
/** Between keystrokes, as a fast typist (~100 words a minute). */
const TYPING_GAP_MS = 20;
/** One frame at 60 Hz. */
const FRAME_MS = 1000 / 60;
/**
 * The pause after a keystroke's echo before the next key: the typing gap plus a random part of a
 * frame. With a fixed gap, each keydown fell a fixed 3.3 ms later in the 60 Hz frame than the
 * last, so whether an echo caught the frame it was typed in (~3 ms) or waited for the next (~15 ms)
 * followed a pattern set by the first key's phase, and a run's p50 could land on either mode for
 * that reason alone (docs/benchmarks.md: pages still differ from one another).
 */
export const typingPause = () => sleep(TYPING_GAP_MS + Math.random() * FRAME_MS);
export const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
export const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
export const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
});

export interface System {
  name: string;
  url: string;
  pid: number;
  /** A page with one terminal showing its prompt, ready for keystrokes. */
  openTerminalPage(context: BrowserContext): Promise<Page>;
  /** Opens a second terminal in the page and makes it the visible one. */
  openSecondTerminal(page: Page): Promise<void>;
  showTerminal(page: Page, n: number): Promise<void>;
  stop(): Promise<void>;
}

async function untilUp(url: string, child: ChildProcess) {
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
    try { if ((await fetch(url)).status < 500) return; } catch { /* starting */ }
    if (i > 600) throw new Error(`${url} did not start`);
    await sleep(50);
  }
}

/**
 * Kills every process whose arguments name `dir`: the sandboxes of a data dir's workspaces (each
 * bwrap names its binds), and with each sandbox's pid namespace everything in it. Workspace hosts
 * outlive the server on purpose, so terminals survive a restart; a run's must not outlive the run,
 * or the next one measures among them (500 hosts and their disks were left per sessions run).
 */
async function killNaming(dir: string) {
  const naming = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir); } catch { return false; }
  });
  // Bounded: a process stuck in the kernel is not worth hanging the bench over.
  for (let left = naming(), tries = 0; left.length > 0 && tries < 100; left = naming(), tries++) {
    for (const pid of left) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone meanwhile */ }
    await sleep(100);
  }
}

export async function startTether() {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-bench-'));
  // Traversable, so the workspaces live in the data dir and go with it (docs: storage-root.ts).
  chmodSync(dataDir, 0o711);
  // SERVER_NODE_ARGS: more node flags for the server only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const extra = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, ...PRODUCTION_NODE_ARGS], {
    cwd: root, stdio: 'ignore',
    env: { ...PRODUCTION_MALLOC_ENV, ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', TETHER_DATA_DIR: dataDir, TETHER_LOG_LEVEL: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  await untilUp(`${url}/healthz`, child);
  const anon = new ApiClient(url);
  const cookie = cookieFrom(await anon.mutate('auth.setup', { email: 'bench@example.test', name: 'Bench', password: 'benchmark password' }))!;
  const api = anon.as(cookie);
  const socket: Socket = connect(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: url } });
  await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('connect_error', reject); });

  /** Creates a session from the template and waits for its workspace.ready event. */
  const createSession = async (title: string) => {
    const created = await api.mutate('sessions.create', { title, source: { kind: 'template', template: 'node-ts' } });
    if (created.error) throw new Error(created.error.message);
    const id = (created.data as { id: string }).id;
    await new Promise<void>((resolve, reject) => {
      const on = (e: { sessionId: string; type: string; payload: unknown }) => {
        if (e.sessionId !== id) return;
        if (e.type === 'workspace.ready') { socket.off('session:event', on); resolve(); }
        if (e.type === 'workspace.failed') { socket.off('session:event', on); reject(new Error(JSON.stringify(e.payload))); }
      };
      socket.on('session:event', on);
      socket.emit('session:follow', { sessionId: id, afterSeq: 0 }, () => {});
    });
    return id;
  };

  const system: System & { cookie: string; api: ApiClient; socket: Socket; createSession: typeof createSession; sessionIds: string[] } = {
    name: 'Tether', url, pid: child.pid!, cookie, api, socket, createSession, sessionIds: [],
    async openTerminalPage(context) {
      const id = await createSession(`bench ${system.sessionIds.length + 1}`);
      system.sessionIds.push(id);
      const page = await context.newPage();
      await page.goto(`${url}/sessions/${id}`);
      await visibleRows(page).getByText('$').first().waitFor({ timeout: 30_000 });
      await settled(page, page.getByRole('region', { name: 'Editor' }));
      return page;
    },
    async openSecondTerminal(page) {
      await page.getByRole('button', { name: 'New terminal' }).click();
      await page.getByRole('tab', { name: 'Terminal 2', selected: true }).waitFor();
      await visibleRows(page).getByText('$').first().waitFor({ timeout: 30_000 });
    },
    async showTerminal(page, n) { await page.getByRole('tab', { name: `Terminal ${n}` }).click(); },
    async stop() {
      socket.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await killNaming(`${dataDir}/`);
      // With hundreds of workspaces the server's shutdown outlasts its grace period and exits
      // with disk images still mounted: detach them (lazily) so the data dir can go.
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dataDir}/`));
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return system;
}

export async function startBaseline(): Promise<System> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'bench/terminal/baseline-server.mjs'), String(port)], { cwd: root, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await untilUp(url, child);
  return {
    name: 'baseline', url, pid: child.pid!,
    async openTerminalPage(context) {
      const page = await context.newPage();
      await page.goto(url);
      await visibleRows(page).getByText('$').first().waitFor();
      await settled(page);
      return page;
    },
    async openSecondTerminal(page) {
      await page.getByRole('button', { name: 'New terminal' }).click();
      await page.getByRole('tab', { name: 'Terminal 2', selected: true }).waitFor();
      await visibleRows(page).getByText('$').first().waitFor();
    },
    async showTerminal(page, n) { await page.getByRole('tab', { name: `Terminal ${n}` }).click(); },
    async stop() { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); },
  };
}

/** Typing starts once the page has loaded everything it loads on its own (Tether: the editor and agent panel after the terminal). */
export async function settled(page: Page, lastToLoad?: Locator) {
  await page.waitForLoadState('load');
  await lastToLoad?.waitFor({ timeout: 30_000 });
  await sleep(1000);
}

export const visibleHost = (page: Page) => page.locator('.terminal-host:not([hidden])');
export const visibleRows = (page: Page) => visibleHost(page).locator('.xterm-rows');
export type Tether = Awaited<ReturnType<typeof startTether>>;
