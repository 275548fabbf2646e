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
