// Secrets and the release guard in a real browser: an admin adds a workspace secret (its value is
// never shown again), rotates and deletes it; the IDE's "Release check" reports what a template
// package would ship.
import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('an admin manages a workspace secret without ever seeing its value, and runs a release check', async ({ page }) => {
  // Other specs create sessions meanwhile, so the secrets page's default workspace (the newest) may
  // not be this one: it is picked by its unique title.
  const title = `Release e2e ${Date.now().toString(36)}`;
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByRole('radio', { name: 'Node/TypeScript template' }).check();
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'package.json' })).toBeVisible({ timeout: 30_000 });

  // Release check of what npm pack would publish: the template has no allowlist, which is reported.
  await page.getByRole('button', { name: 'Release check' }).click();
  const check = page.getByRole('region', { name: 'Release check' });
  await check.getByRole('button', { name: 'Run check' }).click();
  await expect(check.getByRole('status')).toContainText('npm pack --dry-run', { timeout: 60_000 });
  await expect(check.getByRole('list', { name: 'Release problems' })).toContainText('no allowlist');

  const value = 'npm_e2eSecretValue0123456789abcdefghij';
  await page.goto('/admin');
  await page.getByRole('link', { name: /Workspace secrets/ }).click();
  await expect(page.getByRole('heading', { name: 'Workspace secrets' })).toBeVisible();
  const workspace = page.getByLabel('Workspace', { exact: true });
  await workspace.selectOption({ label: title });
  const add = page.getByRole('form', { name: 'Add a secret' });
  await add.getByLabel('Name').fill('npm');
  await add.getByLabel('Value').fill(value);
  await add.getByLabel(/Hosts the proxy adds it to/).fill('registry.npmjs.org');
  await add.getByRole('button', { name: 'Add secret' }).click();
  const table = page.getByRole('table', { name: 'Secrets' });
  await expect(table.getByRole('cell', { name: 'npm', exact: true })).toBeVisible();
  await expect(table).toContainText('registry.npmjs.org (Authorization)');
  await expect(table).toContainText('not in the sandbox');
  await page.reload();
  await workspace.selectOption({ label: title });
  await expect(table.getByRole('cell', { name: 'npm', exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(value);

  await page.getByLabel('New value for npm').fill('npm_rotatedValue0123456789abcdefghijk');
  await page.getByRole('button', { name: 'Rotate' }).click();
  await expect(page.getByLabel('New value for npm')).toHaveValue('');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(table).toContainText('No secrets in this workspace.');

  // Too short a value is refused in words.
  await add.getByLabel('Name').fill('short');
  await add.getByLabel('Value').fill('abc');
  await add.getByRole('button', { name: 'Add secret' }).click();
  await expect(page.getByText(/at least 8 characters/)).toBeVisible();
});
