// A ~1 MiB paste into the browser's terminal reaches the program whole, over a connection that stays up.
import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('pasting 1 MiB into a terminal delivers every byte', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Big paste');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: 'Big paste' })).toBeVisible();

  // The session's first visit opened a terminal.
  const terminal = page.getByRole('region', { name: /^Terminal/ });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 20_000 });
  await terminal.click();
  // Paste only once the shell has left its line editor (raw mode) and wc reads the canonical tty.
  await page.keyboard.type('stty -echo; echo "READY-$((6*7))"; wc -c; stty echo\n');
  await expect(terminal.locator('.xterm-rows')).toContainText('READY-42');

  // 16,500 lines of 64 bytes: 1,056,000 bytes, pasted the way the browser's clipboard does it.
  const lines = 16_500;
  await terminal.locator('.xterm-helper-textarea').evaluate((el, n) => {
    const text = Array.from({ length: n }, (_, i) => `${String(i).padStart(8, '0')} ${'x'.repeat(54)}`).join('\n') + '\n';
    const data = new DataTransfer();
    data.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, lines);
  await page.keyboard.press('Control+d');
  await expect(terminal.locator('.xterm-rows')).toContainText(String(lines * 64), { timeout: 30_000 });
  await expect(page.getByText('live', { exact: true })).toBeVisible();
});
