import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('a signed-in user creates a session and sees its event stream live', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Try the stream');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: 'Try the stream' })).toBeVisible();
  await page.getByRole('tab', { name: 'Activity' }).click();
  const timeline = page.getByRole('list', { name: 'Session events' });
  await expect(timeline.getByText('session.created')).toBeVisible();
  await page.getByRole('button', { name: 'Stop session' }).click();
  await expect(timeline.getByText('session.stopped')).toBeVisible();
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Try the stream' })).toBeVisible();
});
