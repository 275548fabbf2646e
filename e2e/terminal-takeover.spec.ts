// Two people in one session's terminal (issue 13): the owner types, an admin watches and cannot
// type; the admin takes over, and then it is the owner who watches; the timeline records it.
import { ADMIN, expect, MEMBER, signIn, test } from './fixtures.ts';

test('an admin watches the owner type, takes over, and the owner then watches', async ({ page: owner, browser }) => {
  test.setTimeout(240_000);
  await signIn(owner, MEMBER);
  await owner.getByRole('button', { name: 'New session' }).click();
  await owner.getByLabel('Title').fill('Pairing at one terminal');
  await owner.getByRole('button', { name: 'Create session' }).click();
  const ownerTerminal = owner.getByRole('region', { name: 'Terminal 1' });
  // Generous waits for a first paint: these machines run many suites at once.
  await expect(ownerTerminal.locator('.xterm-rows')).toContainText('$', { timeout: 60_000 });
  await ownerTerminal.click();
  await owner.keyboard.type('echo owner-says-$((6*7))\n');
  await expect(ownerTerminal.locator('.xterm-rows')).toContainText('owner-says-42');

  // The admin opens the same session in another browser: sees the output, is told who types.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, ADMIN);
  await admin.goto(owner.url());
  const adminTerminal = admin.getByRole('region', { name: 'Terminal 1' });
  await expect(adminTerminal.locator('.xterm-rows')).toContainText('owner-says-42', { timeout: 60_000 });
  await expect(admin.getByRole('status').filter({ hasText: 'Max Member is typing in this terminal' })).toBeVisible();
  await expect(owner.getByRole('button', { name: 'Take over' })).toHaveCount(0);

  // Typing there does nothing: nothing reaches the shell, on either screen.
  await adminTerminal.click();
  await admin.keyboard.type('echo admin-early-$((6*7))\n');
  await owner.keyboard.type('echo fence-$((1+1))\n');
  await expect(adminTerminal.locator('.xterm-rows')).toContainText('fence-2');
  await expect(ownerTerminal.locator('.xterm-rows')).not.toContainText('admin-early');
  await expect(adminTerminal.locator('.xterm-rows')).not.toContainText('admin-early');

  // The admin takes over: the admin's typing works and the owner sees it.
  await admin.getByRole('button', { name: 'Take over' }).click();
  await expect(admin.getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await expect(owner.getByRole('status').filter({ hasText: 'Ada Admin took over this terminal; you are watching.' })).toBeVisible();
  await adminTerminal.click();
  await admin.keyboard.type('echo admin-says-$((6*7))\n');
  await expect(ownerTerminal.locator('.xterm-rows')).toContainText('admin-says-42', { timeout: 15_000 });
  await owner.screenshot({ path: 'test-results/terminal-takeover-owner-watching.png' });

  // The owner's keys now go nowhere (server/realtime/terminal-control.test.ts forces them through the socket: refused).
  await ownerTerminal.click();
  await owner.keyboard.type('echo owner-late-$((6*7))\n');
  await admin.keyboard.type('echo fence-$((2+2))\n');
  await expect(ownerTerminal.locator('.xterm-rows')).toContainText('fence-4');
  await expect(adminTerminal.locator('.xterm-rows')).not.toContainText('owner-late');

  // A reload keeps it: the owner still watches, the admin still types.
  await owner.reload();
  await expect(owner.getByRole('status').filter({ hasText: 'Ada Admin took over this terminal' })).toBeVisible({ timeout: 15_000 });
  await expect(owner.getByRole('button', { name: 'Take over' })).toBeVisible();

  // The timeline says who took control from whom.
  await owner.getByRole('tab', { name: 'Activity' }).click();
  await expect(owner.getByRole('region', { name: 'Activity' })).toContainText('Ada Admin took over Terminal 1 from Max Member.');
  await adminContext.close();
});
