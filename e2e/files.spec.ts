import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('file tree: create, rename, delete with confirmation, live updates, and a changed-on-disk warning', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Files tour');
  await page.getByRole('radio', { name: 'Empty' }).check();
  await page.getByRole('button', { name: 'Create session' }).click();
  const tree = page.getByRole('tree', { name: 'Files' });
  await expect(tree).toBeVisible({ timeout: 20_000 });

  // Create a file: it appears in the tree and opens in the editor.
  await page.getByRole('button', { name: 'New file' }).click();
  await page.getByRole('textbox', { name: 'New file in /' }).fill('hello.txt');
  await page.keyboard.press('Enter');
  await expect(tree.getByRole('treeitem', { name: 'hello.txt' })).toBeVisible();
  const editor = page.getByRole('region', { name: 'Editor' });
  await expect(editor.getByRole('tab', { name: 'hello.txt' })).toBeVisible();

  // Rename with F2.
  await tree.getByRole('treeitem', { name: 'hello.txt' }).click();
  await tree.press('F2');
  const rename = page.getByRole('textbox', { name: 'Rename hello.txt' });
  await rename.fill('greeting.txt');
  await rename.press('Enter');
  await expect(tree.getByRole('treeitem', { name: 'greeting.txt' })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'hello.txt' })).toHaveCount(0);

  // Files made in the terminal show up by themselves.
  // The session's first visit opened a terminal.
  const terminal = page.getByRole('region', { name: /^Terminal/ });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
  await terminal.click();
  await page.keyboard.type('mkdir -p notes && echo "first line" > notes/todo.md\n');
  await expect(tree.getByRole('treeitem', { name: 'notes' })).toBeVisible();

  // Delete asks first; Cancel keeps the file, Delete removes it.
  await tree.getByRole('treeitem', { name: 'greeting.txt' }).click();
  await page.getByRole('button', { name: 'Delete', exact: true }).first().click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Delete greeting.txt?');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(tree.getByRole('treeitem', { name: 'greeting.txt' })).toBeVisible();
  await tree.getByRole('treeitem', { name: 'greeting.txt' }).click();
  await tree.press('Delete');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(tree.getByRole('treeitem', { name: 'greeting.txt' })).toHaveCount(0);

  // Unsaved edits plus a change on disk: a warning and a diff, nothing lost.
  await tree.getByRole('treeitem', { name: 'notes' }).click();
  await tree.getByRole('treeitem', { name: 'todo.md' }).click();
  await expect(editor.locator('.view-lines')).toContainText('first line');
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('my unsaved edit');
  await terminal.click();
  await page.keyboard.type('echo "second line from the terminal" >> notes/todo.md\n');
  const warning = editor.getByRole('alert').filter({ hasText: 'changed on disk while you were editing it' });
  await expect(warning).toBeVisible();
  await warning.getByRole('button', { name: 'Compare' }).click();
  const diff = page.getByRole('region', { name: 'Changes on disk compared with your buffer' });
  await expect(diff).toContainText('second line from the terminal');
  await expect(diff).toContainText('my unsaved edit');
});
