import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('a session opens its terminal on the first visit, a hidden tab shows its output when shown, and a reload restores the tabs', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Terminal feel');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: 'Terminal feel' })).toBeVisible();

  // Nobody pressed New terminal: the first visit opened one.
  const first = page.getByRole('region', { name: 'Terminal 1' });
  await expect(first.locator('.xterm-rows')).toContainText('$', { timeout: 20_000 });
  await expect(page.getByRole('tab', { name: /^Terminal/ })).toHaveCount(1);
  await expect(page.getByRole('checkbox', { name: 'Blink cursor' })).not.toBeChecked();

  // Terminal 2 prints while it is hidden behind Terminal 1: a few lines (held in the page), then
  // more than the page holds for a hidden tab (read again from the server's scrollback). Terminal 1
  // says when to go, through files in the workspace, and waits until Terminal 2 is done.
  await page.getByRole('button', { name: 'New terminal' }).click();
  const second = page.getByRole('region', { name: 'Terminal 2' });
  await expect(second.locator('.xterm-rows')).toContainText('$', { timeout: 20_000 });
  await second.click();
  await page.keyboard.type('until [ -e go1 ]; do sleep 0.1; done; echo hidden-small-$((6*7)); touch done1; '
    + 'until [ -e go2 ]; do sleep 0.1; done; yes flood-line-of-hidden-output | head -c 600000; echo; echo hidden-big-$((40+2)); touch done2\n');
  await page.getByRole('tab', { name: 'Terminal 1' }).click();
  await expect(second).toBeHidden();
  await first.click();
  await page.keyboard.type('touch go1; until [ -e done1 ]; do sleep 0.1; done; echo small-$((6*7))-printed\n');
  await expect(first.locator('.xterm-rows')).toContainText('small-42-printed', { timeout: 20_000 });
  await page.getByRole('tab', { name: 'Terminal 2' }).click();
  await expect(second.locator('.xterm-rows')).toContainText('hidden-small-42');

  await page.getByRole('tab', { name: 'Terminal 1' }).click();
  await first.click();
  await page.keyboard.type('touch go2; until [ -e done2 ]; do sleep 0.1; done; echo big-$((40+2))-printed\n');
  await expect(first.locator('.xterm-rows')).toContainText('big-42-printed', { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Terminal 2' }).click();
  await expect(second.locator('.xterm-rows')).toContainText('hidden-big-42', { timeout: 20_000 });

  // A later visit restores the open terminals, with the tab that was in front, and opens none.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Terminal 2' }).locator('.xterm-rows')).toContainText('hidden-big-42', { timeout: 20_000 });
  await expect(page.getByRole('tab', { name: /^Terminal/ })).toHaveCount(2);
});

test('typing in a terminal costs the page no requests: the session is not read again on every render', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Typing is quiet');
  await page.getByRole('button', { name: 'Create session' }).click();
  const terminal = page.getByRole('region', { name: 'Terminal 1' });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 20_000 });
  await page.waitForLoadState('networkidle');

  const sessionReads: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/trpc/sessions.get')) sessionReads.push(r.url()); });
  await terminal.click();
  await page.keyboard.type('echo typed-$((6*7))', { delay: 40 });
  await page.keyboard.press('Enter');
  await expect(terminal.locator('.xterm-rows')).toContainText('typed-42');
  await page.waitForTimeout(1000);
  expect(sessionReads).toEqual([]);
});
