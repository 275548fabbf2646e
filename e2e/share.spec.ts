// Review by link, with two browser contexts: a member shares a session, an anonymous reviewer
// watches the agent's reply stream in and the agent change a file live, scrubs back to before the change, cannot write anything,
// and is cut off when the member revokes the link.
import type { Page } from '@playwright/test';
import { startScriptedModelServer, type ScriptedModelServer } from '../test/support/scripted-model-server.ts';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

let model: ScriptedModelServer;
test.beforeAll(async () => { model = await startScriptedModelServer({ port: Number(process.env.E2E_MODEL_PORT) }); });
test.afterAll(async () => { await model?.close(); });

const OLD = 'sum + item.unitPriceCents * item.quantity';
const NEW = 'sum + item.quantity * item.unitPriceCents';

async function newSessionWithLink(page: Page, title: string, access: 'View only' | 'View and comment') {
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Share session' });
  await dialog.getByLabel('Access').selectOption({ label: access });
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const link = await dialog.getByLabel(/New link/).inputValue();
  expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
  return { dialog, link };
}

/** Speaks Socket.IO's wire protocol from the page, as a hand-made client would: returns every frame received. */
async function rawSocketFrames(page: Page, frames: string[]): Promise<string[]> {
  return page.evaluate(async (toSend) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const got: string[] = [];
    ws.onmessage = (m) => { got.push(String(m.data)); if (m.data === '2') ws.send('3'); };
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('WebSocket failed')); });
    await new Promise((r) => setTimeout(r, 200));
    for (const f of toSend) { ws.send(f); await new Promise((r) => setTimeout(r, 300)); }
    ws.close();
    return got;
  }, frames);
}

test('an anonymous reviewer watches the agent live, scrubs back in time, cannot write, and is cut off on revoke', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, ADMIN);
  const { dialog, link } = await newSessionWithLink(page, 'Shared review', 'View only');
  await dialog.getByRole('button', { name: 'Close' }).click();
  const memberTerminal = page.getByRole('region', { name: /^Terminal/ });
  await expect(memberTerminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });

  // The reviewer: another browser, nobody signed in.
  const reviewerContext = await browser.newContext();
  const viewer = await reviewerContext.newPage();
  await viewer.goto(link);
  await expect(viewer.getByRole('heading', { name: 'Shared review' })).toBeVisible();
  const timeline = viewer.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByRole('listitem', { name: /Terminal 1 opened/ })).toBeVisible();

  // The member runs the agent; the reviewer sees the run and its diff as it happens.
  model.script([
    // Streamed slowly, so the reviewer can be seen reading it before it is recorded.
    { text: 'Reordering the product for readability.', chunkSize: 4, chunkDelayMs: 300, toolCalls: [{ id: 'call_edit', name: 'edit_file', input: { path: 'src/cart.mjs', oldString: OLD, newString: NEW } }], usage: { input: 500, output: 40 } },
    { text: 'Done: the total now reads quantity first.', usage: { input: 700, output: 20 } },
  ]);
  await page.getByRole('textbox', { name: 'Message the agent' }).fill('Reorder the multiplication in totalCents.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(timeline.getByText('Reorder the multiplication in totalCents.')).toBeVisible({ timeout: 20_000 });
  // The reply as it streams, before it is an event; then the recorded message takes its place.
  const streaming = viewer.getByRole('status', { name: 'The agent is replying' });
  await expect(streaming).toContainText('Reordering', { timeout: 20_000 });
  await expect(timeline.getByRole('listitem', { name: /The agent replied/ })).toHaveCount(0);
  await viewer.screenshot({ path: 'test-results/share-viewer-streaming.png' });
  await expect(timeline.getByText('Reordering the product for readability.')).toBeVisible({ timeout: 20_000 });
  await expect(streaming).toHaveCount(0);
  const result = timeline.getByRole('listitem', { name: /Tool edit_file done/ });
  await expect(result.getByLabel(/^Diff of event/)).toContainText(`+  return items.reduce((sum, item) => ${NEW}, 0);`, { timeout: 20_000 });
  await expect(timeline.getByText('Done: the total now reads quantity first.')).toBeVisible({ timeout: 20_000 });

  // The file now, then as of the checkpoint taken before the edit.
  await viewer.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'cart.mjs' }).getByRole('button').click();
  const file = viewer.getByRole('region', { name: 'File src/cart.mjs' });
  await expect(file).toContainText(NEW);
  const checkpoint = timeline.getByRole('listitem', { name: /Checkpoint$/ });
  const checkpointSeq = Number(/#(\d+)/.exec((await checkpoint.getAttribute('aria-label'))!)![1]);
  const slider = viewer.getByRole('slider', { name: 'Timeline position' });
  const last = Number(await slider.getAttribute('max'));
  await slider.focus();
  for (let i = 0; i < last - checkpointSeq; i++) await viewer.keyboard.press('ArrowLeft');
  await expect(viewer.getByText(`#${checkpointSeq} of ${last}`)).toBeVisible();
  await expect(file).toContainText(OLD);
  await expect(file).not.toContainText(NEW);
  await expect(result).toHaveClass(/future/);
  await viewer.screenshot({ path: 'test-results/share-viewer-scrubbed.png' });

  // Nothing to write with: no message box; the terminal takes no keys.
  await expect(viewer.getByRole('textbox', { name: 'Message the agent' })).toHaveCount(0);
  await memberTerminal.click();
  await page.keyboard.type('echo from-the-$((6*7))-member\n');
  const viewerTerminal = viewer.getByRole('region', { name: 'Terminal 1 (read-only)' });
  await expect(viewerTerminal.locator('.xterm-rows')).toContainText('from-the-42-member', { timeout: 15_000 });
  await viewerTerminal.click();
  await viewer.keyboard.type('echo typed-by-$((40+2))-viewer\n');
  // Forced: the member API with the page's (absent) sign-in, and the member socket namespace, refuse.
  const token = link.split('/s/')[1]!;
  const sessionId = /\/sessions\/([^/?#]+)/.exec(page.url())![1]!;
  const forced = await viewer.evaluate(async ({ sessionId, token }) => {
    const r = await fetch('/api/trpc/agent.send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: { sessionId, text: 'rm -rf everything', token } }) });
    return r.status;
  }, { sessionId, token });
  expect(forced).toBe(401);
  const frames = await rawSocketFrames(viewer, [
    '40', // the member namespace
    `40/share,${JSON.stringify({ token })}`,
    `42/share,${JSON.stringify(['terminal:input', { sessionId, terminalId: '00000000-0000-4000-8000-000000000000', data: 'echo forced\r' }])}`,
  ]);
  expect(frames.find((f) => f.startsWith('44'))).toContain('unauthorized');
  expect(frames.some((f) => f.startsWith('40/share,'))).toBe(true);
  await viewer.waitForTimeout(1000);
  await expect(memberTerminal.locator('.xterm-rows')).not.toContainText('typed-by-42-viewer');
  await expect(viewerTerminal.locator('.xterm-rows')).not.toContainText('typed-by-42-viewer');

  // The member revokes: the reviewer is disconnected at once, and the link answers 410.
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await dialog.getByRole('table', { name: 'Share links' }).getByRole('button', { name: /^Revoke link/ }).click();
  await expect(dialog.getByRole('table', { name: 'Share links' })).toContainText('revoked');
  await expect(viewer.getByRole('alert').filter({ hasText: 'This share link has been revoked.' })).toBeVisible({ timeout: 2_000 });
  await expect(viewer.getByText('disconnected', { exact: true })).toBeVisible();
  const gone = await viewer.request.get(link);
  expect(gone.status()).toBe(410);
  await viewer.screenshot({ path: 'test-results/share-viewer-revoked.png' });
  await reviewerContext.close();
});

test('a reviewer with a comment link comments on an event; the member sees it live', async ({ page, browser }) => {
  await signIn(page, ADMIN);
  const { dialog, link } = await newSessionWithLink(page, 'Commented review', 'View and comment');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('tab', { name: 'Activity' }).click();
  await expect(page.getByRole('list', { name: 'People here' })).toContainText('Ada Admin');

  const reviewerContext = await browser.newContext();
  const viewer = await reviewerContext.newPage();
  await viewer.goto(link);
  const created = viewer.getByRole('region', { name: 'Timeline' }).getByRole('listitem', { name: /^#1 / });
  await created.getByRole('button', { name: 'Comment' }).click();
  const form = viewer.getByRole('form', { name: 'Comment on event #1' });
  await form.getByLabel('Your name').fill('Rita Reviewer');
  await form.getByLabel('Comment').fill('Why was this session created?');
  await form.getByRole('button', { name: 'Post comment' }).click();
  await expect(created.getByRole('note', { name: 'Comment by Rita Reviewer' })).toContainText('Why was this session created?');

  await expect(page.getByRole('region', { name: 'Activity' })).toContainText('Why was this session created?');
  await reviewerContext.close();
});
