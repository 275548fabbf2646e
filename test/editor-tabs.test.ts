// The rules that keep editor work from being lost, on the tab model the editor uses
// (app/components/ide/editor-tabs.ts) and what it keeps in the browser (app/lib/workspace-state.ts).
// (Here rather than beside them: Vitest runs server/, scripts/ and test/.)
import { describe, expect, it } from 'vitest';
import { isDirty, removeTabs, renameTabs, restoreTab, tabFromDisk, toStored, type DiskFile, type Tab } from '../app/components/ide/editor-tabs.ts';
import { loadState, storageKey, storeState } from '../app/lib/workspace-state.ts';

const disk = (content: string, version: string): DiskFile => ({ content, version, size: content.length, binary: false, tooLarge: false });
const edited = (path: string, saved: string, buffer: string, version = 'v1'): Tab => ({ ...tabFromDisk(path, disk(saved, version)), buffer });

/** The Web Storage API over a Map, with a quota, as browsers have. */
class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  constructor(private quota = Infinity) {}
  get length() { return this.items.size; }
  clear() { this.items.clear(); }
  getItem(k: string) { return this.items.get(k) ?? null; }
  key(i: number) { return [...this.items.keys()][i] ?? null; }
  removeItem(k: string) { this.items.delete(k); }
  setItem(k: string, v: string) {
    if (v.length > this.quota) throw new DOMException('quota', 'QuotaExceededError');
    this.items.set(k, v);
  }
}

describe('editor tabs', () => {
  it('a rename retitles the tab of the file and of everything in a renamed folder, buffers intact', () => {
    const tabs = [edited('src/a.ts', 'a', 'a!'), tabFromDisk('src/lib/b.ts', disk('b', 'v2')), tabFromDisk('srcs/c.ts', disk('c', 'v3'))];
    expect(renameTabs(tabs, 'src/a.ts', 'src/z.ts').map((t) => t.path)).toEqual(['src/z.ts', 'src/lib/b.ts', 'srcs/c.ts']);
    const moved = renameTabs(tabs, 'src', 'app');
    expect(moved.map((t) => t.path)).toEqual(['app/a.ts', 'app/lib/b.ts', 'srcs/c.ts']);
    expect(moved[0]).toMatchObject({ buffer: 'a!', saved: 'a', version: 'v1' });
  });

  it('a deletion closes clean tabs and marks dirty ones "deleted on disk", still dirty', () => {
    const tabs = [tabFromDisk('docs/clean.md', disk('x', 'v1')), edited('docs/dirty.md', 'x', 'mine'), tabFromDisk('other.md', disk('o', 'v1'))];
    const r = removeTabs(tabs, ['docs']);
    expect(r.closed).toEqual(['docs/clean.md']);
    expect(r.tabs.map((t) => [t.path, t.deletedOnDisk])).toEqual([['docs/dirty.md', true], ['other.md', false]]);
    expect(isDirty(r.tabs[0]!)).toBe(true);
    // Even with the edits typed back to the old text, the file exists only here: still unsaved.
    expect(isDirty({ ...r.tabs[0]!, buffer: 'x' })).toBe(true);
  });

  it('keeps only unsaved buffers, and restores them onto their base version', () => {
    const tabs = [tabFromDisk('clean.ts', disk('c', 'v1')), { ...edited('dirty.ts', 'base', 'base + mine', 'v7'), queued: true }];
    const stored = toStored(tabs, 'dirty.ts');
    expect(stored).toEqual({
      active: 'dirty.ts',
      tabs: [{ path: 'clean.ts', version: 'v1' }, { path: 'dirty.ts', version: 'v7', unsaved: { saved: 'base', buffer: 'base + mine' }, queued: true }],
    });
    // Disk unchanged: the edits come back dirty, the queued save still queued.
    expect(restoreTab(stored.tabs[1]!, disk('base', 'v7'))).toMatchObject({ buffer: 'base + mine', saved: 'base', version: 'v7', queued: true, onDisk: null });
    // Disk moved on meanwhile: kept as a change on disk to compare, the base unchanged.
    expect(restoreTab(stored.tabs[1]!, disk('theirs', 'v8'))).toMatchObject({ buffer: 'base + mine', version: 'v7', onDisk: { content: 'theirs', version: 'v8' } });
    // Deleted meanwhile: the edits stay, marked, and no save goes out.
    expect(restoreTab(stored.tabs[1]!, null)).toMatchObject({ buffer: 'base + mine', deletedOnDisk: true, queued: false });
    // A clean tab is simply the file now, or gone with it.
    expect(restoreTab(stored.tabs[0]!, disk('c2', 'v2'))).toMatchObject({ buffer: 'c2', saved: 'c2', version: 'v2' });
    expect(restoreTab(stored.tabs[0]!, null)).toBeNull();
  });
});

describe('workspace state in the browser', () => {
  const S1 = { userId: 'u1', sessionId: 's1' };
  it('round-trips per session and part', () => {
    const storage = new MemoryStorage();
    const state = toStored([edited('a.ts', 'a', 'b')], 'a.ts');
    expect(storeState(storage, S1, 'editor', state)).toEqual({ ok: true });
    expect(storeState(storage, S1, 'tree', { expanded: ['src'] })).toEqual({ ok: true });
    expect(loadState(storage, S1, 'editor')).toEqual(state);
    expect(loadState(storage, S1, 'tree')).toEqual({ expanded: ['src'] });
    expect(loadState(storage, { userId: 'u1', sessionId: 's2' }, 'editor')).toBeNull();
    // Another person on this browser does not get it.
    expect(loadState(storage, { userId: 'u2', sessionId: 's1' }, 'editor')).toBeNull();
  });

  it('drops what it cannot read instead of failing the page', () => {
    const storage = new MemoryStorage();
    storage.setItem(storageKey(S1, 'editor'), '{not json');
    storage.setItem(storageKey(S1, 'tree'), JSON.stringify({ expanded: 'src' }));
    expect(loadState(storage, S1, 'editor')).toBeNull();
    expect(loadState(storage, S1, 'tree')).toBeNull();
    expect(storage.length).toBe(0);
    // Well-formed JSON of the wrong shape: a tab without a path, an unsaved buffer without its base.
    storage.setItem(storageKey(S1, 'editor'), JSON.stringify({ tabs: [{ path: '', version: 'v1' }], active: null }));
    expect(loadState(storage, S1, 'editor')).toBeNull();
    storage.setItem(storageKey(S1, 'editor'), JSON.stringify({ tabs: [{ path: 'a.ts', version: 'v1', unsaved: { buffer: 'x' } }], active: 'a.ts' }));
    expect(loadState(storage, S1, 'editor')).toBeNull();
    expect(storage.length).toBe(0);
  });

  it('reports a full storage as a value', () => {
    const r = storeState(new MemoryStorage(10), S1, 'editor', toStored([edited('a.ts', 'a', 'x'.repeat(100))], null));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/storage for the site is full/) });
  });
});
