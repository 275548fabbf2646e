// What keeping unsaved work in the browser costs per write: the editor's tabs folded to what is
// kept (`toStored`), validated shape, serialised and written (`storeState`), and read back and
// validated on a reload (`loadState`). Writes happen at most every 200 ms while typing. The storage
// here is in memory, so the figure is the serialisation and validation the page pays; the
// browser's own localStorage write comes on top.
//   node --import tsx bench/workspace-state.ts [dirtyTabs=10] [kib=100]
import { performance } from 'node:perf_hooks';
import { tabFromDisk, toStored, type Tab } from '../app/components/ide/editor-tabs.ts';
import { loadState, storeState } from '../app/lib/workspace-state.ts';

const DIRTY = Number(process.argv[2] ?? 10);
const KIB = Number(process.argv[3] ?? 100);
const RUNS = 200;

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() { return this.items.size; }
  clear() { this.items.clear(); }
  getItem(k: string) { return this.items.get(k) ?? null; }
  key(i: number) { return [...this.items.keys()][i] ?? null; }
  removeItem(k: string) { this.items.delete(k); }
  setItem(k: string, v: string) { this.items.set(k, v); }
}

const text = (n: number) => 'const line = "typed in the editor";\n'.repeat(Math.ceil((n * 1024) / 38)).slice(0, n * 1024);
const tabs: Tab[] = Array.from({ length: DIRTY }, (_, i) => ({ ...tabFromDisk(`src/file-${i}.ts`, { content: text(KIB), version: `v${i}`, size: KIB * 1024, binary: false, tooLarge: false }), buffer: `${text(KIB)}// edit ${i}\n` }));
const storage = new MemoryStorage();
const k = { userId: 'u', sessionId: 's' };

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const writes: number[] = [];
const reads: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const r = storeState(storage, k, 'editor', toStored(tabs, tabs[0]!.path));
  writes.push(performance.now() - t0);
  if (!r.ok) throw new Error(r.error);
  const t1 = performance.now();
  if (!loadState(storage, k, 'editor')) throw new Error('nothing read back');
  reads.push(performance.now() - t1);
}
const bytes = storage.getItem('tether.workspace.u.s.editor')!.length;
console.log(`${DIRTY} dirty tabs of ${KIB} KiB (kept: ${(bytes / 1e6).toFixed(1)} M characters): write median ${median(writes).toFixed(2)} ms, read+validate median ${median(reads).toFixed(2)} ms (${RUNS} runs)`);
