import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('a command typed in the terminal shows in the Activity timeline and in the admin audit, with who ran it and where', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Recorded shell');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: 'Recorded shell' })).toBeVisible();

  // The session's first visit opened a terminal.
  const terminal = page.getByRole('region', { name: /^Terminal/ });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 20_000 });
  await terminal.click();
  await page.keyboard.type('echo audit-$((6*7)); (exit 4)\n');
  await expect(terminal.locator('.xterm-rows')).toContainText('audit-42');
  // The shell's reports never reach the screen.
  await expect(terminal.locator('.xterm-rows')).not.toContainText('633;');

  await page.getByRole('tab', { name: 'Activity' }).click();
  const timeline = page.getByRole('list', { name: 'Session events' });
  await expect(timeline.getByText('/workspace$ echo audit-$((6*7)); (exit 4) (exit 4)')).toBeVisible({ timeout: 15_000 });
  await expect(timeline.locator('li', { hasText: 'terminal.command' }).getByText(/by user/)).toBeVisible();

  await page.goto('/admin/audit');
  await page.getByLabel('Kind (or prefix)').fill('terminal.command');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const records = page.getByRole('table', { name: 'Audit records' });
  await expect(records.getByRole('cell', { name: 'echo audit-$((6*7)); (exit 4)' }).first()).toBeVisible();
});
