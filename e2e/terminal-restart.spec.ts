// Terminals survive a server restart: the pty lives in the workspace's host process, which the
// server's SIGTERM leaves running; the restarted server adopts it, and the open tab (reconnecting
// on its own, or after a reload) shows its scrollback and takes input again. Where the host did
// not survive, the tab says so instead of vanishing.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { killHosts, OwnServer, tempDir, unmountVolumes } from './own-server.ts';

// Two server starts per test on a shared 2-core machine.
test.describe.configure({ timeout: 180_000 });

let server: OwnServer;
let base: string;
let workspacesDir: string;

test.beforeAll(async () => {
  base = tempDir('tether-terminal-restart-');
  workspacesDir = path.join(base, 'workspaces');
  server = await OwnServer.start({ dataDir: path.join(base, 'data'), env: { TETHER_WORKSPACES_DIR: workspacesDir } });
});
test.afterAll(async () => {
  await server?.stop();
  await killHosts(workspacesDir);
  unmountVolumes(workspacesDir);
  rmSync(base, { recursive: true, force: true });
});

test('a terminal survives a server restart with its scrollback, and takes input again', async ({ page }) => {
  await page.goto(`${server.url}/setup`);
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
  await server.stop();
  await expect(live).toHaveCount(0, { timeout: 20_000 });
  await server.start();

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
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email').fill('tess@example.test');
  await page.getByLabel('Password').fill('terminal password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Long-lived shell' }).click();
  await expect(page.getByRole('tab', { name: 'Terminal 1' })).toBeVisible({ timeout: 20_000 });

  await server.stop();
  // The host is gone by the time the server is back (a reboot, an OOM kill).
  await killHosts(workspacesDir);
  await server.start();

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
