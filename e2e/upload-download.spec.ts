// Files in and out: a file dropped on a folder of the tree is uploaded with progress and shown
// there; a file too large is refused in words; a file and a folder (as a zip) download intact;
// the toolbar's Upload button does the same without a mouse.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('upload by drag and drop, download a file and a folder as a zip', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Files in and out');
  await page.getByRole('radio', { name: 'Empty' }).check();
  await page.getByRole('button', { name: 'Create session' }).click();
  const tree = page.getByRole('tree', { name: 'Files' });
  await expect(tree).toBeVisible({ timeout: 20_000 });

  await page.getByRole('button', { name: 'New folder' }).click();
  await page.getByRole('textbox', { name: 'New folder in /' }).fill('docs');
  await page.keyboard.press('Enter');
  const docs = tree.getByRole('treeitem', { name: 'docs' });
  await expect(docs).toBeVisible();

  // Drop two files on the folder, as the browser does when files are dragged in from the desktop.
  const files = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['hello upload\n'], 'notes.txt', { type: 'text/plain' }));
    dt.items.add(new File([new Uint8Array([0, 1, 2, 250, 255])], 'data.bin'));
    return dt;
  });
  await docs.dispatchEvent('dragover', { dataTransfer: files });
  await docs.dispatchEvent('drop', { dataTransfer: files });
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded docs/notes.txt, docs/data.bin.' })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'notes.txt' })).toBeVisible();

  // Too large: refused in words, nothing written.
  const big = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(33 * 1024 * 1024)], 'big.bin'));
    return dt;
  });
  await tree.dispatchEvent('drop', { dataTransfer: big });
  await expect(page.getByRole('alert').filter({ hasText: 'Could not upload big.bin: big.bin is too large to upload: at most 32 MiB.' })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'big.bin' })).toHaveCount(0);

  // Download the file…
  await tree.getByRole('treeitem', { name: 'notes.txt' }).click();
  const fileDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download docs/notes.txt' }).click();
  const file = await fileDownload;
  expect(file.suggestedFilename()).toBe('notes.txt');
  expect(readFileSync(await file.path(), 'utf8')).toBe('hello upload\n');

  // … and the folder, as a zip.
  await docs.click();
  const zipDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download docs' }).click();
  const zip = await zipDownload;
  expect(zip.suggestedFilename()).toBe('docs.zip');
  const entries = unzipSync(readFileSync(await zip.path()));
  expect(Object.keys(entries).sort()).toEqual(['data.bin', 'notes.txt']);
  expect(new TextDecoder().decode(entries['notes.txt'])).toBe('hello upload\n');
  expect([...entries['data.bin']!]).toEqual([0, 1, 2, 250, 255]);

  // Without a mouse: the toolbar's Upload opens a file picker for the selected folder.
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload files to /docs' }).click();
  await (await chooser).setFiles({ name: 'picked.txt', mimeType: 'text/plain', buffer: Buffer.from('picked\n') });
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded docs/picked.txt.' })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'picked.txt' })).toBeVisible();
  await page.screenshot({ path: 'test-results/upload-download.png' });
});
