import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('an admin sees the default network allowlist, allows a host and removes one', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/admin/policy');
  const section = page.getByRole('region', { name: 'Network allowlist' });
  const hosts = section.getByRole('table', { name: 'Allowed hosts' });
  await expect(hosts.getByRole('cell', { name: 'registry.npmjs.org', exact: true })).toBeVisible();
  await expect(hosts.getByRole('cell', { name: 'pypi.org', exact: true })).toBeVisible();

  const add = section.getByRole('form', { name: 'Allow a host' });
  await add.getByLabel('Host').fill('not a host');
  await add.getByRole('button', { name: 'Allow host' }).click();
  await expect(add.getByText(/expected a host name/)).toBeVisible();
  await add.getByLabel('Host').fill('*.Internal-Mirror.example.com');
  await add.getByLabel('Note (why)').fill('our package mirror');
  await add.getByRole('button', { name: 'Allow host' }).click();
  const row = hosts.getByRole('row').filter({ has: page.getByRole('cell', { name: '*.internal-mirror.example.com', exact: true }) });
  await expect(row).toContainText('The whole team');
  await expect(row).toContainText('our package mirror');

  page.once('dialog', (d) => void d.accept());
  await hosts.getByRole('row').filter({ has: page.getByRole('cell', { name: 'crates.io', exact: true }) }).getByRole('button', { name: /Remove/ }).click();
  await expect(hosts.getByRole('cell', { name: 'crates.io', exact: true })).toHaveCount(0);
  await page.reload();
  await expect(hosts.getByRole('cell', { name: '*.internal-mirror.example.com', exact: true })).toBeVisible();
  await expect(hosts.getByRole('cell', { name: 'crates.io', exact: true })).toHaveCount(0);
});

test('a terminal reaching an unlisted host waits for Allow once / Allow always / Deny; Allow always lets it through and lists it', async ({ page }) => {
  const host = `egress-e2e.test:${process.env.E2E_MODEL_PORT}`;
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Egress prompt');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: 'Egress prompt' })).toBeVisible();
  // Controlled by the server's answer: it shows checked once the setting is saved.
  await page.getByLabel('Network access').click();
  await expect(page.getByLabel('Network access')).toBeChecked();

  // The terminal the first visit opened may have started before the network was on: open one after it.
  await expect(page.getByRole('region', { name: 'Terminal 1' }).locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
  await page.getByRole('button', { name: 'New terminal' }).click();
  await expect(page.getByRole('tab', { name: 'Terminal 2', selected: true })).toBeVisible();
  const terminal = page.getByRole('region', { name: 'Terminal 2' });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
  await terminal.click();
  await page.keyboard.type(`curl -s -o /dev/null -w "got=%{http_code}\\n" http://${host}/v1/models\n`);

  const prompt = page.getByRole('region', { name: 'Approval required' });
  await expect(prompt).toContainText(`workspace wants to reach ${host}`, { timeout: 15_000 });
  await expect(prompt.getByRole('button', { name: 'Allow once' })).toBeVisible();
  await expect(prompt.getByRole('button', { name: 'Deny' })).toBeVisible();
  await expect(terminal.locator('.xterm-rows')).not.toContainText(/got=\d/);
  await prompt.getByRole('button', { name: 'Allow always' }).click();
  await expect(terminal.locator('.xterm-rows')).toContainText(/got=(?!403)\d{3}/, { timeout: 15_000 });

  await page.goto('/admin/policy');
  const hosts = page.getByRole('region', { name: 'Network allowlist' }).getByRole('table', { name: 'Allowed hosts' });
  const row = hosts.getByRole('row').filter({ has: page.getByRole('cell', { name: 'egress-e2e.test', exact: true }) });
  await expect(row).toContainText('Workspace of “Egress prompt”');
});
