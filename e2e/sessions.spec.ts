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
  // Stopping ends the terminals and the agent run, so it is confirmed first; Cancel keeps it running.
  const confirm = page.getByRole('alertdialog', { name: 'Stop “Try the stream”?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(timeline.getByText('session.stopped')).toHaveCount(0);
  await page.getByRole('button', { name: 'Stop session' }).click();
  await confirm.getByRole('button', { name: 'Stop session' }).click();
  await expect(timeline.getByText('session.stopped')).toBeVisible();
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Try the stream' })).toBeVisible();
});
