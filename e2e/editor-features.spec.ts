// The editor features people reach for without thinking: quick open, search and replace across
// files, find, go to line, the command palette, TypeScript's language service, a split editor and
// the status bar — each driven by its keys, as a person would.
import type { Page } from '@playwright/test';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

async function newTemplateSession(page: Page, title: string) {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByRole('radio', { name: 'Node/TypeScript template' }).check();
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'README.md' })).toBeVisible({ timeout: 20_000 });
}

test('quick open, find, go to line, command palette and the status bar', async ({ page }) => {
  test.setTimeout(120_000);
  await newTemplateSession(page, 'Editor keys');
  const editor = page.getByRole('region', { name: 'Editor' });
  const status = page.getByRole('region', { name: 'Status bar' });
  await expect(status).toContainText('Connected');

  // Ctrl+P opens quick open (not the browser's print dialog); a fuzzy query finds the file.
  await page.keyboard.press('ControlOrMeta+p');
  const quickOpen = page.getByRole('dialog', { name: 'Go to file' });
  await expect(quickOpen).toBeVisible();
  await quickOpen.getByRole('combobox', { name: 'File name' }).fill('crttst');
  // The first listing starts a sandboxed process in a fresh workspace: slow on a loaded machine.
  await expect(quickOpen.getByRole('option').first()).toContainText('cart.test.mjs', { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/editor-quick-open.png' });
  await page.keyboard.press('Enter');
  await expect(quickOpen).toHaveCount(0);
  await expect(editor.getByRole('tab', { name: 'cart.test.mjs' })).toBeVisible();
  await expect(editor.locator('.view-lines')).toContainText('import');
  await expect(status).toContainText('JavaScript');
  await expect(status).toContainText('LF');
  await expect(status).toContainText('UTF-8');

  // Ctrl+F finds in the file.
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+f');
  const find = editor.getByRole('textbox', { name: 'Find' });
  await expect(find).toBeFocused();
  await page.keyboard.type('totalCents');
  await expect(editor.locator('.find-widget .matchesCount')).toHaveText(/^1 of \d+$/);
  await page.keyboard.press('Escape');

  // Ctrl+G goes to a line; the status bar follows the cursor.
  await page.keyboard.press('ControlOrMeta+g');
  await page.keyboard.type('4');
  await page.keyboard.press('Enter');
  await expect(status).toContainText('Ln 4, Col 1');

  // F1 opens the command palette.
  await page.keyboard.press('F1');
  const palette = page.locator('.quick-input-widget');
  await expect(palette).toBeVisible();
  await page.keyboard.type('go to line');
  await expect(palette.getByRole('option', { name: /Go to Line/ }).first()).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(palette).toBeHidden();

  // Quick open takes name:line.
  await page.keyboard.press('ControlOrMeta+p');
  await quickOpen.getByRole('combobox', { name: 'File name' }).fill('cart.mjs:12');
  await expect(quickOpen.getByRole('option').first()).toContainText('cart.mjs');
  await page.keyboard.press('Enter');
  await expect(editor.getByRole('tab', { name: 'cart.mjs', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect(status).toContainText('Ln 12, Col 1');

  // The status bar names the git branch once there is a repository.
  await expect(status).not.toContainText('Branch');
  const terminal = page.getByRole('region', { name: /^Terminal/ });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
  await terminal.click();
  await page.keyboard.type('git init -q -b e2e-branch && echo initialised\n');
  await expect(terminal.locator('.xterm-rows')).toContainText('initialised');
  await expect(status).toContainText('Branch: e2e-branch', { timeout: 20_000 });
});

test('search across files, then replace with a preview', async ({ page }) => {
  await newTemplateSession(page, 'Search and replace');
  const editor = page.getByRole('region', { name: 'Editor' });
  await page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'README.md' }).click();
  await expect(editor.getByRole('tab', { name: 'README.md' })).toBeVisible();

  await page.keyboard.press('ControlOrMeta+Shift+f');
  const search = page.getByRole('region', { name: 'Search' });
  await expect(search.getByRole('textbox', { name: 'Search text' })).toBeFocused();
  await page.keyboard.type('applydiscount');
  const results = search.getByRole('list', { name: 'Results' });
  await expect(search.getByRole('status')).toHaveText(/^\d+ results in 2 files$/);
  await expect(results).toContainText('src/cart.mjs');
  await expect(results).toContainText('src/cart.test.mjs');

  // Match case: nothing is spelled in lower case.
  await search.getByRole('button', { name: 'Match case' }).click();
  await expect(search.getByRole('status')).toHaveText('No results.');
  await search.getByRole('button', { name: 'Match case' }).click();

  // A regular expression, and a result opens its file at the line.
  await search.getByRole('button', { name: 'Use regular expression' }).click();
  await search.getByRole('textbox', { name: 'Search text' }).fill('export function apply\\w+\\(');
  await expect(search.getByRole('status')).toHaveText('1 result in 1 file');
  await results.getByRole('button').first().click();
  await expect(editor.getByRole('tab', { name: 'cart.mjs', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('region', { name: 'Status bar' })).toContainText(/Ln \d+, Col 1/);

  // Replace: the preview shows each changed line before anything is written.
  await search.getByRole('button', { name: 'Use regular expression' }).click();
  await search.getByRole('textbox', { name: 'Search text' }).fill('applyDiscount');
  await expect(search.getByRole('status')).toHaveText(/results in 2 files$/);
  await search.getByRole('textbox', { name: 'Replace with' }).fill('applyPercentOff');
  await search.getByRole('button', { name: 'Preview replace' }).click();
  const preview = search.getByRole('region', { name: 'Replace preview' });
  await expect(preview).toContainText(/\d+ replacements in 2 files/);
  await expect(preview.getByLabel(/line \d+ after/).first()).toContainText('applyPercentOff');
  await page.screenshot({ path: 'test-results/editor-replace-preview.png' });
  await search.getByRole('button', { name: 'Replace in 2 files' }).click();
  await expect(search.getByRole('status').filter({ hasText: 'Replaced' })).toHaveText(/Replaced \d+ occurrences in 2 files\./);

  // What is on disk changed: searching for the new name finds both files, the old name none.
  await search.getByRole('textbox', { name: 'Search text' }).fill('applyPercentOff');
  await expect(search.getByRole('status').filter({ hasText: 'results' })).toHaveText(/results in 2 files$/);
  // The open, unsaved-edit-free tab follows the file on disk.
  await expect(editor.locator('.view-lines')).toContainText('applyPercentOff');
  await search.getByRole('button', { name: 'Close search' }).click();
  await expect(search).toHaveCount(0);
});

test('TypeScript completion and diagnostics, and a split editor with two files', async ({ page }) => {
  await newTemplateSession(page, 'Language service');
  const editor = page.getByRole('region', { name: 'Editor' });
  await page.getByRole('button', { name: 'New file' }).click();
  await page.getByRole('textbox', { name: 'New file in /' }).fill('typed.ts');
  await page.keyboard.press('Enter');
  await expect(editor.getByRole('tab', { name: 'typed.ts' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Status bar' })).toContainText('TypeScript');

  await editor.locator('.view-lines').click();
  await page.keyboard.type('const count: number = "three";\nMath.');
  // Completion from the TypeScript worker …
  await expect(page.locator('.suggest-widget')).toContainText('abs', { timeout: 30_000 });
  await page.keyboard.press('Escape');
  // … and its diagnostic, shown on hover as the editor's own marker text.
  await expect(editor.locator('.squiggly-error').first()).toBeVisible({ timeout: 30_000 });
  await page.keyboard.press('ControlOrMeta+s');
  await expect(editor.getByLabel('unsaved changes')).toHaveCount(0);

  // Split: the second group shows another file beside the first.
  await editor.getByRole('button', { name: 'Split editor' }).click();
  const second = editor.getByRole('group', { name: /^Editor group 2/ });
  await expect(second).toBeVisible();
  await page.keyboard.press('ControlOrMeta+p');
  await page.getByRole('combobox', { name: 'File name' }).fill('README');
  await expect(page.getByRole('option').first()).toContainText('README.md');
  await page.keyboard.press('Enter');
  await expect(editor.getByRole('group', { name: 'Editor group 2: README.md' })).toBeVisible();
  await expect(second.locator('.view-lines')).toContainText(/\S/);
  await expect(editor.locator('.view-lines').first()).toContainText('const count');
  await expect(editor.locator('.monaco-editor')).toHaveCount(2);
  await page.screenshot({ path: 'test-results/editor-split.png' });
  await editor.getByRole('button', { name: 'Close split' }).click();
  await expect(second).toHaveCount(0);
});
