// Search, quick open's file list and replace in files on a real sandboxed workspace: ripgrep runs
// inside the sandbox, and without it the JS fallback gives the same answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../workspace/provider.ts';
import { tempProvider, uidBase } from '../workspace/testing.ts';
import { applyReplace, previewReplace } from './replace.ts';
import { searchTargetOf } from './target.ts';
import { listFiles, searchText, type SearchTarget, type TextQuery } from './text-search.ts';

let env: Awaited<ReturnType<typeof tempProvider>>;
let ws: Workspace;
let rg: SearchTarget;
let noRg: SearchTarget;

const q = (pattern: string, more: Partial<TextQuery> = {}): TextQuery => ({ pattern, regex: false, caseSensitive: false, path: '.', maxResults: 100, ...more });
const sorted = <T extends { path: string; line: number }>(ms: T[]) => [...ms].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);

beforeAll(async () => {
  env = await tempProvider();
  ws = await env.provider.create({ id: 'search', source: { kind: 'empty' }, networkAllowed: false, uid: uidBase() + 1 });
  await ws.files.createDir('src');
  await ws.files.createFile('src/main.ts', 'import { greet } from "./greet";\nconsole.log(greet("Ada"));\n');
  await ws.files.createFile('src/greet.ts', 'export function greet(name: string) {\n  return `Héllo, ${name}`; // greet (after a two-byte character)\n}\n');
  await ws.files.createFile('notes: a.md', 'Greet everyone.\n');
  await ws.files.createDir('node_modules');
  await ws.files.createFile('.hidden', 'greet\n');
  rg = searchTargetOf(ws);
  noRg = { ...rg, exec: async (cmd, o) => (cmd[0] === 'rg' ? { exitCode: 127, signal: null, stdout: '', stderr: 'rg: not found', timedOut: false, truncated: false, durationMs: 0 } : ws.exec(cmd, o)) };
}, 60_000);
afterAll(async () => { await env.cleanup(); });

describe('searchText', () => {
  it('finds literal text case-insensitively with match ranges, in the sandbox and in the fallback alike', async () => {
    for (const [target, engine] of [[rg, 'ripgrep'], [noRg, 'js']] as const) {
      const r = await searchText(target, q('GREET'));
      expect(r.ok && r.engine).toBe(engine);
      if (!r.ok) continue;
      expect(sorted(r.matches).map((m) => `${m.path}:${m.line}`)).toEqual(['notes: a.md:1', 'src/greet.ts:1', 'src/greet.ts:2', 'src/main.ts:1', 'src/main.ts:2']);
      const line2 = r.matches.find((m) => m.path === 'src/greet.ts' && m.line === 2)!;
      expect(line2.ranges.map(([a, b]) => line2.text.slice(a, b))).toEqual(['greet']);
    }
  });

  it('honours regex and case options, and says what is wrong with a bad pattern', async () => {
    for (const target of [rg, noRg]) {
      const r = await searchText(target, q('^export function (\\w+)', { regex: true, caseSensitive: true }));
      expect(r.ok && r.matches.map((m) => m.path)).toEqual(['src/greet.ts']);
      const exact = await searchText(target, q('Greet', { caseSensitive: true }));
      expect(exact.ok && exact.matches.map((m) => m.path)).toEqual(['notes: a.md']);
      const literal = await searchText(target, q('greet("Ada")'));
      expect(literal.ok && literal.matches.map((m) => m.line)).toEqual([2]);
      const bad = await searchText(target, q('(unclosed', { regex: true }));
      expect(bad.ok).toBe(false);
    }
  });

  it('caps the results and says there are more', async () => {
    const r = await searchText(rg, q('greet', { maxResults: 2 }));
    expect(r.ok && [r.matches.length, r.more]).toEqual([2, true]);
  });
});

describe('listFiles', () => {
  it('lists the workspace files without hidden ones, with and without ripgrep', async () => {
    for (const target of [rg, noRg]) {
      const r = await listFiles(target, 100);
      expect(r.ok && r.files).toEqual(['notes: a.md', 'src/greet.ts', 'src/main.ts']);
    }
    const capped = await listFiles(rg, 2);
    expect(capped.ok && [capped.files.length, capped.more]).toEqual([2, true]);
  });
});

describe('replace in files', () => {
  it('previews each changed line, then writes only what was previewed', async () => {
    const query = { ...q('greet\\((\\w+|"\\w+")\\)', { regex: true, caseSensitive: true }), replacement: 'welcome($1)' };
    const preview = await previewReplace(rg, ws.files, query);
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.files.map((f) => [f.path, f.replacements, f.lines])).toEqual([
      ['src/main.ts', 1, [{ line: 2, before: 'console.log(greet("Ada"));', after: 'console.log(welcome("Ada"));' }]],
    ]);
    const outcomes = await applyReplace(ws.files, query, preview.files);
    expect(outcomes).toEqual([{ path: 'src/main.ts', replacements: 1 }]);
    const after = await ws.files.read('src/main.ts');
    expect(after.kind === 'text' && after.content).toBe('import { greet } from "./greet";\nconsole.log(welcome("Ada"));\n');
  });

  it('keeps a literal replacement as typed and refuses a file changed since the preview', async () => {
    const query = { ...q('Greet everyone', { caseSensitive: true }), replacement: 'Say $& to $1' };
    const preview = await previewReplace(rg, ws.files, query);
    expect(preview.ok && preview.files.map((f) => f.lines[0]!.after)).toEqual(['Say $& to $1.']);
    if (!preview.ok) return;
    await ws.files.write('notes: a.md', 'Greet everyone, again.\n');
    expect(await applyReplace(ws.files, query, preview.files)).toEqual([{ path: 'notes: a.md', replacements: 0, error: 'changed since the preview; search again' }]);
    const kept = await ws.files.read('notes: a.md');
    expect(kept.kind === 'text' && kept.content).toBe('Greet everyone, again.\n');
  });
});
