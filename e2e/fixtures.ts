// Every spec uses this `test`: it fails any test whose page requested anything but this
// server (a CDN for Monaco, fonts, analytics…): Tether must work on a closed network.
import { test as base, expect, type Page } from '@playwright/test';

export const test = base.extend<{ offsiteGuard: void }>({
  offsiteGuard: [async ({ page, baseURL }, use) => {
    const offsite: string[] = [];
    // Loopback only (a spec may run a second server of its own on another port).
    recordOffsite(page, new URL(baseURL!).hostname, offsite);
    await use();
    expect(offsite, 'requests to other hosts').toEqual([]);
  }, { auto: true }],
});

export { expect };

/** Records in `offsite` each request of `page` to a host other than `own` (for pages of a spec's own contexts). */
export function recordOffsite(page: Page, own: string, offsite: string[]): void {
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.hostname !== own) offsite.push(req.url());
  });
}

export const ADMIN = { name: 'Ada Admin', email: 'ada@example.test', password: 'correct horse battery staple' };
export const MEMBER = { name: 'Max Member', email: 'max@example.test', password: 'members only 123' };

/** timeout: for the dashboard to show (a server of a spec's own may be slower to serve its first page). */
export async function signIn(page: Page, who: { email: string; password: string }, timeout?: number) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Your sessions' })).toBeVisible({ timeout });
}
