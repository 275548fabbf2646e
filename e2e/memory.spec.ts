// Memory that does not forget, end to end: a constraint stated in the first message is still in
// the prompt many turns later (long after that message fell out of the prompt's turns), shows in
// the Memory panel with a link to its message, and editing it there changes the next prompt. The
// prompt inspector shows what each call held and what was dropped.
import type { Page } from '@playwright/test';
import { startScriptedModelServer, type ScriptedModelServer } from '../test/support/scripted-model-server.ts';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

/** The issue asks for 300: the turns go through the real API and agent loop, about 0.4 s each here (~2 min). */
const TURNS = Number(process.env.E2E_MEMORY_TURNS ?? 300);
const CONSTRAINT = 'We must never add lodash to this project.';
const EDITED = 'We must never add lodash or underscore to this project.';

let model: ScriptedModelServer;
test.beforeAll(async () => { model = await startScriptedModelServer({ port: Number(process.env.E2E_MODEL_PORT) }); });
test.afterAll(async () => { await model?.close(); });

/** tRPC over HTTP with the page's own sign-in cookie. */
async function trpc(page: Page, kind: 'query' | 'mutation', path: string, input: unknown): Promise<unknown> {
  const res = kind === 'query'
    ? await page.request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
    : await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await res.json()) as { result?: { data: { json: unknown } }; error?: { json: { message: string } } };
  if (body.error) throw new Error(`${path}: ${body.error.json.message}`);
  return body.result!.data.json;
}

const promptOf = (i: number) => JSON.stringify(model.requests[i]?.body ?? null);

test(`a constraint from the first message is still in the prompt ${TURNS} turns later, and editing it in the Memory panel changes the next prompt`, async ({ page }) => {
  test.setTimeout(Math.max(180_000, TURNS * 1500));
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Memory over many turns');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' })).toBeVisible({ timeout: 20_000 });
  const sessionId = new URL(page.url()).pathname.split('/').at(-1)!;
  const agent = page.getByRole('region', { name: 'Agent' });

  // Turn 1, in the browser: the constraint.
  model.script([{ text: 'Understood: no lodash.', usage: { input: 1500, output: 8 } }]);
  await page.getByRole('textbox', { name: 'Message the agent' }).fill(CONSTRAINT);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(agent.getByText('Understood: no lodash.')).toBeVisible();

  // Turns 2..TURNS through the API: ordinary requests that state no rule.
  model.script(Array.from({ length: TURNS - 1 }, (_, k) => ({ text: `Tidied section ${k + 2} of the notes; nothing else changed.`, usage: { input: 4000, output: 12 } })));
  for (let i = 2; i <= TURNS; i++) {
    await trpc(page, 'mutation', 'agent.send', { sessionId, text: `Turn ${i}: tidy up section ${i} of notes.md and report back briefly.` });
  }
  await expect.poll(() => model.requests.length, { timeout: TURNS * 1000, intervals: [500] }).toBe(TURNS);
  await expect(agent.getByText(`Tidied section ${TURNS} of the notes`)).toBeVisible({ timeout: 30_000 });

  // The last call's prompt no longer holds the first message as a turn, but memory kept the constraint.
  const last = promptOf(TURNS - 1);
  expect(last).toContain(`Turn ${TURNS}: tidy up`);
  expect(last).not.toContain('Understood: no lodash.');
  expect(last).toContain(CONSTRAINT);
  const reports = (await trpc(page, 'query', 'memory.promptReports', { sessionId })) as { report: { dropped: { ref: string }[]; included: { ref: string; reason: string }[] } }[];
  expect(reports).toHaveLength(TURNS);
  expect(reports.at(-1)!.report.dropped.some((d) => /^turns:\d+-\d+$/.test(d.ref))).toBe(true);

  // The Memory panel shows it under Constraints, with a link to the message it came from.
  await page.getByRole('tab', { name: 'Memory' }).click();
  const memory = page.getByRole('region', { name: 'Memory' });
  const constraints = memory.getByRole('region', { name: /Constraints/ });
  const item = constraints.getByRole('listitem', { name: CONSTRAINT });
  await expect(item).toBeVisible();
  await expect(item).toContainText('found by rule');
  await page.screenshot({ path: 'test-results/memory-panel.png' });
  await item.getByRole('button', { name: /Show source event #\d+ \(message\) in the timeline/ }).click();
  const focused = page.getByRole('region', { name: 'Activity' }).locator('li[aria-current="true"]');
  await expect(focused).toContainText('user.message');
  await expect(focused).toContainText(CONSTRAINT);

  // Edit it in the panel: the next prompt carries the new text, not the old.
  await page.getByRole('tab', { name: 'Memory' }).click();
  await item.getByRole('button', { name: `Edit “${CONSTRAINT}”` }).click();
  await memory.getByLabel('Edit memory item').fill(EDITED);
  await memory.getByRole('button', { name: 'Save' }).click();
  const edited = constraints.getByRole('listitem', { name: EDITED });
  await expect(edited).toContainText('edited (v2)');
  await edited.getByRole('button', { name: `Pin “${EDITED}”` }).click();
  await expect(edited.getByRole('button', { name: `Unpin “${EDITED}”` })).toBeVisible();

  await page.getByRole('tab', { name: 'Agent' }).click();
  model.script([{ text: 'Noted: no lodash, no underscore.', usage: { input: 4000, output: 8 } }]);
  await page.getByRole('textbox', { name: 'Message the agent' }).fill('Add a helper to group notes by tag.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(agent.getByText('Noted: no lodash, no underscore.')).toBeVisible({ timeout: 20_000 });
  const next = promptOf(TURNS);
  expect(next).toContain(EDITED);
  expect(next).not.toContain(CONSTRAINT);

  // The prompt inspector: tokens per section, and what was included, masked or dropped, and why.
  const inspector = agent.getByRole('group', { name: `Prompt of step 1` }).last();
  await inspector.locator(':scope > summary').click();
  await expect(inspector.getByRole('table', { name: 'Tokens per section, step 1' })).toContainText('pinned memory');
  await expect(inspector.getByRole('region', { name: /^Included/ })).toContainText(`Memory “${EDITED.slice(0, 30)}`);
  await expect(inspector.getByRole('region', { name: /^Included/ })).toContainText('pinned: always in the prompt');
  await expect(inspector.getByRole('region', { name: /^Dropped/ })).toContainText(/Turns from event #\d+ to #\d+/);
  await expect(inspector).toContainText(/Budget: the 8,192-token context window of compat:scripted-coder, less 2,048 kept for the reply/);
  await inspector.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/prompt-inspector.png' });

  // Export events: the download is the session's log as JSON Lines.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export events' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^memory-over-many-turns-[a-z0-9]+\.events\.jsonl$/);
  const lines = (await (await file.createReadStream()).toArray()).join('').trimEnd().split('\n');
  expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1, type: 'session.created' });
  expect(lines.some((l) => l.includes(CONSTRAINT))).toBe(true);
});

test('the admin page lists agent and extraction routes with their context windows, and an admin sets a window for an unknown model', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/admin');
  const extraction = page.getByRole('table', { name: 'Extraction routes' });
  // No TETHER_MODELS_EXTRACTION here: extraction uses the agent's route.
  await expect(page.getByText(/Routes come from the agent routes \(TETHER_MODELS_EXTRACTION is not set\)/)).toBeVisible();
  await expect(extraction.getByRole('row', { name: /compat:scripted-coder/ })).toContainText('8,192 tokens (unknown model: assumed small; set it here)');

  const form = page.getByRole('form', { name: 'Change extraction routes' });
  await form.getByLabel(/Extraction routes, primary first/).fill('compat:scripted-extractor=32768, compat:scripted-coder');
  await form.getByRole('button', { name: 'Save extraction routes' }).click();
  await expect(extraction.getByRole('row', { name: /compat:scripted-extractor/ })).toContainText('32,768 tokens (set here)');
  await expect(page.getByRole('table', { name: 'Agent routes' }).getByRole('row', { name: /compat:scripted-coder/ })).toContainText('8,192 tokens');
  await expect(page.getByRole('table', { name: 'Agent routes' })).not.toContainText('scripted-extractor');
  await page.screenshot({ path: 'test-results/admin-models.png', fullPage: true });

  await form.getByRole('button', { name: 'Reset extraction routes' }).click();
  await expect(extraction).not.toContainText('scripted-extractor');
});

test('people add, close and promote memory items in the panel, and the timeline records each change', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Memory by hand');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' })).toBeVisible({ timeout: 20_000 });
  await page.getByRole('tab', { name: 'Memory' }).click();
  const memory = page.getByRole('region', { name: 'Memory' });
  await expect(memory.getByText(/Nothing remembered yet/)).toBeVisible();

  const add = memory.getByRole('form', { name: 'Add a memory item' });
  await add.getByLabel('New memory item').fill('x');
  await add.getByRole('button', { name: 'Add' }).click();
  await expect(add.getByRole('alert')).toHaveText('Write at least 3 characters');

  await add.getByLabel('Kind').selectOption({ label: 'Goal' });
  await add.getByLabel('New memory item').fill('Ship the CSV export this week');
  await add.getByRole('button', { name: 'Add' }).click();
  const goal = memory.getByRole('region', { name: /Goals/ }).getByRole('listitem', { name: 'Ship the CSV export this week' });
  await expect(goal).toContainText('added by a person');

  await add.getByLabel('Kind').selectOption({ label: 'Decision' });
  await add.getByLabel('New memory item').fill('Store exports as gzip');
  await add.getByRole('button', { name: 'Add' }).click();
  const decision = memory.getByRole('listitem', { name: 'Store exports as gzip' });
  await decision.getByRole('button', { name: 'Promote “Store exports as gzip” to the workspace' }).click();
  await expect(decision).toContainText('workspace');

  await goal.getByRole('button', { name: 'Close “Ship the CSV export this week”' }).click();
  await expect(memory.getByText('Closed (1)')).toBeVisible();
  await expect(memory.getByRole('region', { name: /Goals/ })).toHaveCount(0);

  await page.getByRole('tab', { name: 'Activity' }).click();
  const timeline = page.getByRole('list', { name: 'Session events' });
  for (const type of ['memory.added', 'memory.promoted', 'memory.closed']) await expect(timeline.getByText(type, { exact: true }).first()).toBeVisible();
});
