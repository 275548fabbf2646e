import { ADMIN, expect, MEMBER, signIn, test } from './fixtures.ts';

test('an admin adds a rule and reads the decision for a command on the rules page', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/admin');
  await page.getByRole('link', { name: /Agent rules and policy settings/ }).click();
  await expect(page.getByRole('heading', { name: 'Agent rules' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Paused runs' })).toBeVisible();

  const box = page.getByRole('region', { name: 'Test a command' });
  const result = box.getByRole('status', { name: 'Test result' });
  const test = async (command: string) => {
    await box.getByLabel('Command').fill(command);
    await box.getByRole('button', { name: 'Test' }).click();
  };

  // Before any rule: the risk decides.
  await test('npm publish');
  await expect(result).toContainText('Risk');
  await expect(result.getByText('high', { exact: true })).toBeVisible();
  await expect(result.getByText('ask', { exact: true })).toBeVisible();

  const add = page.getByRole('form', { name: 'Add a rule' });
  await add.getByLabel('Action').selectOption('deny');
  await add.getByLabel('Tool').selectOption('run_command');
  await add.getByLabel('Pattern').fill('npm publish*');
  await add.getByLabel('Note (why)').fill('releases go through CI');
  await add.getByRole('button', { name: 'Add rule' }).click();
  const rules = page.getByRole('table', { name: 'Rules' });
  await expect(rules.getByRole('cell', { name: 'npm publish*' })).toBeVisible();
  await expect(rules.getByLabel('Action of rule 1')).toHaveValue('deny');

  // A pattern the engine refuses is explained beside the field, and nothing is added.
  await add.getByLabel('Tool').selectOption('write_file');
  await add.getByLabel('Pattern').fill('/etc/**');
  await add.getByRole('button', { name: 'Add rule' }).click();
  await expect(add.getByText(/relative to the workspace root/)).toBeVisible();
  await expect(rules.getByRole('row')).toHaveCount(2);

  // A deny rule on one simple command of a list denies the whole line, and the page names it.
  await test('npm test && npm publish --access public');
  await expect(result.getByText('deny', { exact: true })).toBeVisible();
  await expect(result).toContainText('deny run_command(npm publish*)');
  await expect(result).toContainText('team rule');

  // Editing the pattern changes what the rule covers, at once; a bad pattern is refused in words.
  await rules.getByRole('button', { name: 'Edit rule 1' }).click();
  await rules.getByLabel('Pattern of rule 1').fill('npm publish --access*');
  await rules.getByRole('button', { name: 'Save rule 1' }).click();
  await expect(rules.getByRole('cell', { name: 'npm publish --access*' })).toBeVisible();
  await test('npm publish');
  await expect(result.getByText('ask', { exact: true })).toBeVisible();
  await test('npm publish --access public');
  await expect(result.getByText('deny', { exact: true })).toBeVisible();

  // A command no rule matches: decided by its risk, no rule named.
  await test('ls -la');
  await expect(result.getByText('allow', { exact: true })).toBeVisible();
  await expect(result.getByText('low', { exact: true })).toBeVisible();
  await expect(result).toContainText('no rule matched');

  // Medium-risk work asks once the team says so.
  const settings = page.getByRole('form', { name: 'Policy settings' });
  await settings.getByLabel(/Medium-risk calls/).selectOption('ask');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await test('touch notes.txt');
  await expect(result.getByText('ask', { exact: true })).toBeVisible();
  await expect(result.getByText('medium', { exact: true })).toBeVisible();

  // Deleting the rule lets the risk decide again.
  page.once('dialog', (d) => void d.accept());
  await rules.getByRole('button', { name: 'Delete rule 1' }).click();
  await expect(rules.getByText('No rules yet')).toBeVisible();
  await test('npm publish');
  await expect(result.getByText('ask', { exact: true })).toBeVisible();

  await settings.getByLabel(/Medium-risk calls/).selectOption('allow');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
});

test('a workspace rule applies in its own workspace, on top of the team\'s rules', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Deploy work');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: 'Deploy work' })).toBeVisible();

  await page.goto('/admin/policy');
  await page.getByLabel('Rules for').selectOption({ label: 'Workspace of “Deploy work”' });
  const rules = page.getByRole('table', { name: 'Rules' });
  await expect(rules.getByText('No rules yet')).toBeVisible();
  const add = page.getByRole('form', { name: 'Add a rule' });
  await add.getByLabel('Action').selectOption('ask');
  await add.getByLabel('Pattern').fill('npm run deploy*');
  await add.getByRole('button', { name: 'Add rule' }).click();
  await expect(rules.getByRole('cell', { name: 'npm run deploy*' })).toBeVisible();

  const box = page.getByRole('region', { name: 'Test a command' });
  const result = box.getByRole('status', { name: 'Test result' });
  await box.getByLabel('Command').fill('npm run deploy');
  await box.getByRole('button', { name: 'Test' }).click();
  await expect(result.getByText('ask', { exact: true })).toBeVisible();
  await expect(result).toContainText('workspace rule');

  // The team's view does not list it, and the same command is not asked about there.
  await page.getByLabel('Rules for').selectOption({ label: 'The whole team' });
  await expect(rules.getByRole('cell', { name: 'npm run deploy*' })).toHaveCount(0);
  await box.getByRole('button', { name: 'Test' }).click();
  await expect(result.getByText('allow', { exact: true })).toBeVisible();
});

test('a member cannot open the rules page', async ({ page }) => {
  await signIn(page, MEMBER);
  const response = await page.goto('/admin/policy');
  expect(response?.status()).toBe(403);
});
