import { expectAccessible, THEMES, useTheme } from './axe.ts';
import { ADMIN, expect, MEMBER, signIn, test } from './fixtures.ts';

test('first visit → setup admin → logout → login → add member → member is kept out of admin', async ({ page }) => {
  // First visit lands on setup.
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  // The only time /setup can be seen: check it for accessibility here (accessibility.spec.ts does the rest).
  for (const theme of THEMES) {
    await useTheme(page, theme);
    await page.reload();
    await expectAccessible(page, `/setup (${theme})`);
  }
  await page.getByLabel('Name').fill(ADMIN.name);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page.getByText('Use at least 10 characters')).toBeVisible();
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page.getByRole('heading', { name: 'Your sessions' })).toBeVisible();

  // Setup is gone once an admin exists.
  expect((await page.request.get('/setup')).status()).toBe(404);

  // Logout, then a wrong password, then the right one.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password.' })).toBeVisible();
  await signIn(page, ADMIN);

  // The admin adds a member.
  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await page.getByLabel('Name').fill(MEMBER.name);
  await page.getByLabel('Email').fill(MEMBER.email);
  await page.getByLabel('Initial password').fill(MEMBER.password);
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toHaveText(`Added ${MEMBER.email}.`);
  await expect(page.getByRole('cell', { name: MEMBER.email, exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);

  // The member signs in, sees no Admin link, and is refused the page and the API.
  await signIn(page, MEMBER);
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  const response = await page.goto('/admin');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Forbidden' })).toBeVisible();
  const api = await page.request.get('/api/trpc/admin.users');
  expect(api.status()).toBe(403);
  expect((await api.json()).error.json.data.code).toBe('FORBIDDEN');
});
