// The dashboard's session management, the admin's user management (confirmations, reset links),
// changing one's own password, page titles and the not-found page, driven as a person would.
import type { Browser, Page } from '@playwright/test';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

const run = Math.random().toString(36).slice(2, 7);

async function createSession(page: Page, title: string) {
  const r = await page.request.post('/api/trpc/sessions.create', { data: { json: { title } } });
  expect(r.status()).toBe(200);
}

/** A user of this spec's own, so changing passwords never disturbs the accounts other specs use. */
async function createUser(page: Page, name: string, email: string, password: string) {
  const r = await page.request.post('/api/trpc/admin.createUser', { data: { json: { name, email, password, role: 'member' } } });
  expect(r.status()).toBe(200);
}

async function signInElsewhere(browser: Browser, who: { email: string; password: string }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, who);
  return { context, page };
}

test('search, sort, rename, stop (confirmed), restart and delete (confirmed) sessions; titles and not found', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveTitle('Dashboard · Tether');
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  expect(icon).toMatch(/^\/icon\.svg/);
  const favicon = await page.request.get(icon!);
  expect(favicon.headers()['content-type']).toContain('image/svg+xml');
  await createSession(page, `Dash beta ${run}`);
  await createSession(page, `Dash alpha ${run}`);
  await page.reload();

  await page.getByRole('searchbox', { name: 'Search sessions' }).fill(`dash ${run}`);
  const table = page.getByRole('table', { name: 'Sessions' });
  const rows = table.getByRole('row');
  await expect(rows).toHaveCount(3);
  await page.getByLabel('Sort by').selectOption('Title');
  await expect(rows.nth(1)).toContainText(`Dash alpha ${run}`);
  await expect(rows.nth(1)).toContainText(ADMIN.name);
  await expect(rows.nth(2)).toContainText(`Dash beta ${run}`);
  await page.getByRole('searchbox', { name: 'Search sessions' }).fill(`beta ${run}`);
  await expect(rows).toHaveCount(2);
  await page.getByRole('searchbox', { name: 'Search sessions' }).fill(`dash ${run}`);

  // Rename.
  await table.getByRole('button', { name: `Rename Dash alpha ${run}` }).click();
  await table.getByLabel('New title').fill(`Dash gamma ${run}`);
  await table.getByRole('button', { name: 'Save' }).click();
  const gamma = rows.filter({ hasText: `Dash gamma ${run}` });
  await expect(gamma.getByRole('link', { name: `Dash gamma ${run}` })).toBeVisible();

  // Stop asks first: cancelling changes nothing, confirming stops it.
  await expect(gamma.getByText('ready')).toBeVisible();
  await gamma.getByRole('button', { name: `Stop Dash gamma ${run}` }).click();
  const stopDialog = page.getByRole('alertdialog', { name: `Stop “Dash gamma ${run}”?` });
  await expect(stopDialog).toBeVisible();
  await stopDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(stopDialog).toBeHidden();
  await expect(gamma.getByText('active', { exact: true })).toBeVisible();
  await gamma.getByRole('button', { name: `Stop Dash gamma ${run}` }).click();
  await stopDialog.getByRole('button', { name: 'Stop session' }).click();
  await expect(gamma.getByText('stopped', { exact: true })).toBeVisible();

  // Restart.
  await gamma.getByRole('button', { name: `Restart Dash gamma ${run}` }).click();
  await expect(gamma.getByText('active', { exact: true })).toBeVisible();

  // Delete asks first, then the row is gone.
  const beta = rows.filter({ hasText: `Dash beta ${run}` });
  await beta.getByRole('button', { name: `Delete Dash beta ${run}` }).click();
  const deleteDialog = page.getByRole('alertdialog', { name: `Delete “Dash beta ${run}”?` });
  await expect(deleteDialog).toContainText('Its history stays in the audit.');
  await deleteDialog.getByRole('button', { name: 'Delete session' }).click();
  await expect(beta).toHaveCount(0);
  await expect(rows).toHaveCount(2);

  // A session page's title names the session.
  await gamma.getByRole('link', { name: `Dash gamma ${run}` }).click();
  await expect(page.getByRole('heading', { name: `Dash gamma ${run}` })).toBeVisible();
  await expect(page).toHaveTitle(`Dash gamma ${run} · Tether`);

  // An unknown session is a not-found page at once, with its own title.
  const unknown = await page.goto('/sessions/doesnotexist0000');
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(page).toHaveTitle('Not found · Tether');
});

test('role change and disable ask first; an admin\'s reset link lets a member set a new password', async ({ page, browser }) => {
  const rita = { email: `rita-${run}@example.test`, password: 'rita first password' };
  await signIn(page, ADMIN);
  await createUser(page, 'Rita Reset', rita.email, rita.password);
  await page.goto('/admin');
  await expect(page).toHaveTitle('Admin · Tether');
  const users = page.getByRole('table', { name: 'Users' });
  const ritaRow = users.getByRole('row').filter({ hasText: rita.email });
  await expect(ritaRow).toContainText('never');

  // Role change: cancel keeps the role, confirm changes it.
  const role = ritaRow.getByLabel(`Role of ${rita.email}`);
  await role.selectOption('admin');
  const roleDialog = page.getByRole('alertdialog', { name: `Make ${rita.email} an admin?` });
  await expect(roleDialog).toBeVisible();
  await roleDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(role).toHaveValue('member');
  await role.selectOption('admin');
  await roleDialog.getByRole('button', { name: 'Make admin' }).click();
  await expect(role).toHaveValue('admin');
  await role.selectOption('member');
  await page.getByRole('alertdialog', { name: `Make ${rita.email} a member?` }).getByRole('button', { name: 'Make member' }).click();
  await expect(role).toHaveValue('member');

  // Disable asks; cancelled here.
  await ritaRow.getByRole('button', { name: `Disable ${rita.email}` }).click();
  const disableDialog = page.getByRole('alertdialog', { name: `Disable ${rita.email}?` });
  await disableDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(ritaRow.getByText('active', { exact: true })).toBeVisible();

  // Rita is signed in elsewhere; the reset ends that sign-in.
  const elsewhere = await signInElsewhere(browser, rita);
  try {
    await ritaRow.getByRole('button', { name: `Reset password of ${rita.email}` }).click();
    const link = await page.getByLabel(`Reset link for ${rita.email}`).inputValue();
    expect(link).toMatch(/\/reset-password#[A-Za-z0-9_-]{43}$/);

    const context = await browser.newContext();
    try {
      const resetPage = await context.newPage();
      await resetPage.goto(link);
      await expect(resetPage).toHaveTitle('Reset password · Tether');
      await resetPage.getByLabel('New password', { exact: true }).fill('rita second password');
      await resetPage.getByLabel('Repeat the new password').fill('rita second password');
      await resetPage.getByRole('button', { name: 'Set password' }).click();
      await expect(resetPage.getByRole('heading', { name: 'Your password is set' })).toBeVisible();
      await resetPage.getByRole('link', { name: 'Sign in' }).click();
      await signIn(resetPage, { email: rita.email, password: 'rita second password' });

      // The link worked once.
      await resetPage.goto(link);
      await resetPage.getByLabel('New password', { exact: true }).fill('rita third password');
      await resetPage.getByLabel('Repeat the new password').fill('rita third password');
      await resetPage.getByRole('button', { name: 'Set password' }).click();
      await expect(resetPage.getByRole('alert').filter({ hasText: 'expired or was used already' })).toBeVisible();
    } finally {
      await context.close();
    }
    await elsewhere.page.reload();
    await expect(elsewhere.page).toHaveURL(/\/login/);
  } finally {
    await elsewhere.context.close();
  }
  await page.reload();
  await expect(ritaRow).not.toContainText('never');
});

test('changing one\'s own password needs the current one and signs out every other sign-in', async ({ page, browser }) => {
  const carl = { email: `carl-${run}@example.test`, password: 'carl first password' };
  await signIn(page, ADMIN);
  await createUser(page, 'Carl Change', carl.email, carl.password);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, carl);
  const elsewhere = await signInElsewhere(browser, carl);
  try {
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await expect(page).toHaveTitle('Your account · Tether');
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('carl second password');
    await page.getByLabel('Repeat the new password').fill('carl second password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Your current password is not right.' })).toBeVisible();

    await page.getByLabel('Current password').fill(carl.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Your password is changed' })).toBeVisible();

    await elsewhere.page.reload();
    await expect(elsewhere.page).toHaveURL(/\/login/);
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Your sessions' })).toBeVisible();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await signIn(page, { email: carl.email, password: 'carl second password' });
  } finally {
    await elsewhere.context.close();
  }
});
