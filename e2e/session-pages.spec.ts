// HTTP status codes of the session page in the production build: monitoring and proxies count them.
import type { APIRequestContext } from '@playwright/test';
import { ADMIN, expect, MEMBER, test } from './fixtures.ts';

async function signInByApi(request: APIRequestContext, who: { email: string; password: string }) {
  const r = await request.post('/api/trpc/auth.login', { data: { json: { email: who.email, password: who.password } } });
  expect(r.status()).toBe(200);
}

test('a session page answers 200 to its owner, 404 to others and for unknown ids', async ({ page, browser }) => {
  await signInByApi(page.request, ADMIN);
  const created = await page.request.post('/api/trpc/sessions.create', { data: { json: { title: 'Status codes' } } });
  const id = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;

  const own = await page.goto(`/sessions/${id}`);
  expect(own?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Status codes' })).toBeVisible();

  const unknown = await page.goto('/sessions/doesnotexist0000');
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  expect((await page.goto('/sessions/%E0%A4%A'))?.status()).toBe(400);

  const other = await browser.newContext();
  try {
    const memberPage = await other.newPage();
    await signInByApi(memberPage.request, MEMBER);
    const foreign = await memberPage.goto(`/sessions/${id}`);
    expect(foreign?.status()).toBe(404);
  } finally {
    await other.close();
  }
});

test('a malformed session cookie is treated as signed out on pages', async ({ page, baseURL }) => {
  await page.context().addCookies([{ name: 'tether_session', value: '%00%ff%', url: baseURL! }]);
  const r = await page.goto('/');
  expect(r?.status()).toBe(200);
  await expect(page).toHaveURL(/\/login/);
});
