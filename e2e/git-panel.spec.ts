// The git panel as a person uses it: a new repository, a file's diff in Monaco's diff editor,
// stage, commit with a message, a clean status and the commit in the history; a new branch and
// back; .git hidden from the tree until the setting shows it.
import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('git panel: diff, stage, commit, history, branches, and .git hidden from the tree', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Git tour');
  await page.getByRole('radio', { name: 'Empty' }).check();
  await page.getByRole('button', { name: 'Create session' }).click();
  const tree = page.getByRole('tree', { name: 'Files' });
  await expect(tree).toBeVisible({ timeout: 20_000 });

  await page.getByRole('tab', { name: 'Git' }).click();
  const git = page.getByRole('region', { name: 'Git' });
  await expect(git).toContainText('This workspace is not a git repository.');
  await git.getByRole('button', { name: 'Initialize repository' }).click();
  await expect(git.getByRole('combobox', { name: 'Branch' })).toHaveValue('main');
  await expect(git).toContainText('No changes.');

  // The repository's insides stay out of the tree unless asked for.
  await expect(tree.getByRole('treeitem', { name: '.git' })).toHaveCount(0);
  await git.getByRole('checkbox', { name: 'Show .git' }).check();
  await expect(tree.getByRole('treeitem', { name: '.git' })).toBeVisible();
  await git.getByRole('checkbox', { name: 'Show .git' }).uncheck();
  await expect(tree.getByRole('treeitem', { name: '.git' })).toHaveCount(0);

  // A new file, written in the editor and saved.
  await page.getByRole('button', { name: 'New file' }).click();
  await page.getByRole('textbox', { name: 'New file in /' }).fill('hello.txt');
  await page.keyboard.press('Enter');
  const editor = page.getByRole('region', { name: 'Editor' });
  await expect(editor.getByRole('tab', { name: 'hello.txt' })).toBeVisible();
  await editor.locator('.view-lines').click();
  await page.keyboard.type('hello from the git panel');
  await expect(editor.locator('.view-lines')).toContainText('hello from the git panel');
  await editor.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(editor.getByRole('tab', { name: 'hello.txt', exact: true })).toBeVisible();

  // Its diff in Monaco's diff editor.
  const changes = git.getByRole('list', { name: 'Changes', exact: true });
  await changes.getByRole('button', { name: 'hello.txt', exact: true }).click();
  await expect(git.getByRole('region', { name: 'Diff of hello.txt' })).toContainText('hello from the git panel');
  await page.screenshot({ path: 'test-results/git-panel.png' });

  // Stage, then commit with a message.
  await git.getByRole('button', { name: 'Stage hello.txt' }).click();
  await expect(git.getByRole('list', { name: 'Staged changes' }).getByRole('button', { name: 'hello.txt', exact: true })).toBeVisible();
  await expect(changes).toHaveCount(0);
  await git.getByRole('textbox', { name: 'Commit message' }).fill('Say hello');
  await git.getByRole('button', { name: 'Commit 1 file' }).click();
  await expect(git.getByRole('status').filter({ hasText: 'Committed.' })).toBeVisible();
  await expect(git).toContainText('No changes.');
  await expect(git.getByRole('list', { name: 'History' })).toContainText('Say hello');
  await expect(git.getByRole('list', { name: 'History' })).toContainText(ADMIN.name);

  // A new branch, then back to main.
  await git.getByRole('textbox', { name: 'New branch name' }).fill('feature/greeting');
  await git.getByRole('button', { name: 'Create branch' }).click();
  await expect(git.getByRole('combobox', { name: 'Branch' })).toHaveValue('feature/greeting');
  await git.getByRole('combobox', { name: 'Branch' }).selectOption('main');
  await expect(git.getByRole('status').filter({ hasText: 'Switched to main.' })).toBeVisible();
  await expect(git.getByRole('combobox', { name: 'Branch' })).toHaveValue('main');
  await expect(git.getByRole('combobox', { name: 'Branch' }).getByRole('option')).toHaveText(['feature/greeting', 'main']);
});
