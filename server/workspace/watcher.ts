// Live file-tree updates for one workspace: debounced { path, change } batches.
// Not fs.watch({ recursive: true }): on Linux (Node 20) it does work, but it watches everything
// (node_modules, .git objects) with no way to skip a subtree. This watcher puts one inotify
// watch on each directory, never follows symlinks (a link to / must not be walked), and does
// not descend into IGNORED_DIRS: their appearance or removal is reported, not their contents.
import { watch, type FSWatcher } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.ts';

export const WATCH_DEBOUNCE_MS = 75;
/** Directories whose insides change in bulk and nobody browses live. */
export const IGNORED_DIRS = new Set(['.git', 'node_modules']);
/** inotify watches are a per-user kernel resource; beyond this the tree is watched partially. */
export const MAX_WATCHED_DIRS = 8192;

export type FileChange = 'created' | 'changed' | 'deleted';
export interface WatchEvent { path: string; change: FileChange; type: 'file' | 'directory' | 'symlink' | 'other' | null }

export interface WorkspaceWatcher { close(): void }

const typeOf = (s: { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }) =>
  s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';

export async function watchWorkspace(
  root: string,
  onEvents: (events: WatchEvent[]) => void,
  o: { log: Logger; debounceMs?: number },
): Promise<WorkspaceWatcher> {
  const watchers = new Map<string, FSWatcher>();
  /** Relative paths seen so far, so a change can be told apart from a creation. */
  const known = new Set<string>();
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let warned = false;

  const ignoredInside = (rel: string) => rel.split('/').slice(0, -1).some((p) => IGNORED_DIRS.has(p));

  function schedule(rel: string): void {
    if (closed || ignoredInside(rel)) return;
    dirty.add(rel);
    timer ??= setTimeout(() => void flush(), o.debounceMs ?? WATCH_DEBOUNCE_MS);
  }

  function watchDir(rel: string): void {
    if (watchers.has(rel) || closed) return;
    if (watchers.size >= MAX_WATCHED_DIRS) {
      if (!warned) o.log.warn({ root, max: MAX_WATCHED_DIRS }, 'workspace watcher: too many directories, watching partially');
      warned = true;
      return;
    }
    try {
      const w = watch(path.join(root, rel), { persistent: false }, (_event, name) => {
        if (name) schedule(rel ? `${rel}/${name}` : name.toString());
      });
      w.on('error', () => unwatch(rel));
      watchers.set(rel, w);
    } catch (e) {
      o.log.debug({ err: e, dir: rel }, 'workspace watcher: cannot watch');
    }
  }

  function unwatch(rel: string): void {
    for (const [dir, w] of watchers) {
      if (dir === rel || dir.startsWith(`${rel}/`)) {
        w.close();
        watchers.delete(dir);
      }
    }
  }

  /** Registers a directory's tree; returns the paths found (for "created" events of a new subtree). */
  async function walk(rel: string, found: string[]): Promise<void> {
    watchDir(rel);
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (known.has(child)) continue;
      known.add(child);
      found.push(child);
      if (e.isDirectory() && !IGNORED_DIRS.has(e.name)) await walk(child, found);
    }
  }

  async function flush(): Promise<void> {
    timer = null;
    const paths = [...dirty].sort();
    dirty.clear();
    const events: WatchEvent[] = [];
    for (const rel of paths) {
      const st = await fs.lstat(path.join(root, rel)).catch(() => null);
      if (!st) {
        if (!known.has(rel)) continue;
        for (const k of known) if (k === rel || k.startsWith(`${rel}/`)) known.delete(k);
        unwatch(rel);
        events.push({ path: rel, change: 'deleted', type: null });
        continue;
      }
      if (known.has(rel)) {
        events.push({ path: rel, change: 'changed', type: typeOf(st) });
        continue;
      }
      known.add(rel);
      events.push({ path: rel, change: 'created', type: typeOf(st) });
      if (st.isDirectory() && !IGNORED_DIRS.has(path.basename(rel))) {
        // Files may have landed in the new directory before its watch existed.
        const found: string[] = [];
        await walk(rel, found);
        for (const f of found) {
          const s = await fs.lstat(path.join(root, f)).catch(() => null);
          if (s) events.push({ path: f, change: 'created', type: typeOf(s) });
        }
      }
    }
    if (events.length > 0 && !closed) onEvents(events);
  }

  await walk('', []);
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
