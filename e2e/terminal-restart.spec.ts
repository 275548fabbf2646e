// Terminals survive a server restart: the pty lives in the workspace's host process, which the
// server's SIGTERM leaves running; the restarted server adopts it, and the open tab (reconnecting
// on its own, or after a reload) shows its scrollback and takes input again. Where the host did
// not survive, the tab says so instead of vanishing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killHost } from '../server/workspace/host/host-place.ts';
import { expect, test } from './fixtures.ts';

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
});

// Two server starts per test on a shared 2-core machine.
test.describe.configure({ timeout: 180_000 });

let port: number;
let base: string;
let dataDir: string;
let workspacesDir: string;
let server: ChildProcess | null = null;

async function startServer() {
  server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    stdio: 'ignore',
    env: {
      ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', TETHER_DATA_DIR: dataDir,
      TETHER_WORKSPACES_DIR: workspacesDir, TETHER_LOG_LEVEL: 'warn',
    },
  });
  // Generous: a cold start of the production server on a loaded 2-core machine.
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

/** A graceful stop, as a deploy or `systemctl restart` does it. */
async function stopServer() {
  const exited = new Promise((r) => server!.once('exit', r));
  server!.kill('SIGTERM');
  await exited;
}

test.beforeAll(async () => {
  port = await freePort();
  base = mkdtempSync(path.join(tmpdir(), 'tether-terminal-restart-'));
  chmodSync(base, 0o711);
  dataDir = path.join(base, 'data');
  workspacesDir = path.join(base, 'workspaces');
  await startServer();
});
/** What a server stop leaves running on purpose: the workspace hosts and their terminals. */
async function killHosts() {
  const hosts = path.join(workspacesDir, 'hosts');
  for (const dir of existsSync(hosts) ? readdirSync(hosts) : []) {
    await killHost({ dir: path.join(hosts, dir), runDir: path.join(hosts, dir, 'run'), runtimeDir: '' });
  }
}

test.afterAll(async () => {
  if (server && server.exitCode === null) await stopServer();
  await killHosts();
  // Their disk images stayed mounted for them (a server stop keeps a host's volume).
  const volumes = path.join(workspacesDir, 'volumes');
  for (const id of existsSync(volumes) ? readdirSync(volumes) : []) {
    try { execFileSync('umount', [path.join(volumes, id)], { stdio: 'ignore' }); } catch { /* not mounted */ }
  }
  rmSync(base, { recursive: true, force: true });
});

test('a terminal survives a server restart with its scrollback, and takes input again', async ({ page }) => {
  const base = `http://127.0.0.1:${port}`;
  await page.goto(`${base}/setup`);
  await page.getByLabel('Name').fill('Tess Terminal');
  await page.getByLabel('Email').fill('tess@example.test');
  await page.getByLabel('Password').fill('terminal password 1');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Long-lived shell');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 20_000 });

  // The session's first visit opened a terminal.
  const terminal = page.getByRole('region', { name: 'Terminal 1' });
  const screen = terminal.locator('.xterm-rows');
  await expect(screen).toContainText('$', { timeout: 20_000 });
  await terminal.click();
  await page.keyboard.type('export KEPT=still-here; echo before-$((6*7))\n');
  await expect(screen).toContainText('before-42');

  const live = page.getByText('live', { exact: true });
  await expect(live).toBeVisible();
  await stopServer();
  await expect(live).toHaveCount(0, { timeout: 20_000 });
  await startServer();

  // The open page reconnects by itself: same tab, same scrollback, the same shell (its variable).
  await expect(live).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('tab', { name: 'Terminal 1' })).toBeVisible();
  await terminal.click();
  await page.keyboard.type('echo after-$KEPT\n');
  await expect(screen).toContainText('after-still-here', { timeout: 20_000 });
  await expect(screen).toContainText('before-42');

  // A reload lists the terminal again and replays its scrollback from the host's ring buffer.
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Terminal 1' })).toBeVisible({ timeout: 20_000 });
  await expect(screen).toContainText('before-42', { timeout: 20_000 });
  await expect(screen).toContainText('after-still-here');
  await expect(page.getByRole('tab', { name: 'Terminal 1 (exited)' })).toHaveCount(0);
});

test('a terminal whose workspace host did not survive says so instead of vanishing', async ({ page }) => {
  const base = `http://127.0.0.1:${port}`;
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill('tess@example.test');
  await page.getByLabel('Password').fill('terminal password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Long-lived shell' }).click();
  await expect(page.getByRole('tab', { name: 'Terminal 1' })).toBeVisible({ timeout: 20_000 });

  await stopServer();
  // The host is gone by the time the server is back (a reboot, an OOM kill).
  await killHosts();
  await startServer();

  await page.reload();
  await expect(page.getByRole('tab', { name: 'Terminal 1 (exited)' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('region', { name: 'Terminal 1' }).locator('.xterm-rows'))
    .toContainText('The terminal ended when the server restarted', { timeout: 20_000 });
  // Closing the tab settles it; a new terminal works.
  await page.getByRole('tab', { name: 'Terminal 1 (exited)' }).press('Delete');
  await expect(page.getByRole('tab', { name: /Terminal 1/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'New terminal' }).click();
  await expect(page.getByRole('region', { name: 'Terminal 1' }).locator('.xterm-rows')).toContainText('$', { timeout: 20_000 });
});
