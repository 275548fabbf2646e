// The editor's tabs as data: what renames, deletions and a reload do to them. Pure, so the rules
// that keep work from being lost are tested without a browser (test/editor-tabs.test.ts).
import { isAt, renamedPath } from '../../lib/workspace-paths.ts';
import type { EditorState, StoredTab } from '../../lib/workspace-state.ts';

export interface Tab {
  path: string;
  /** The file as on disk when last read or saved: the base the buffer was edited from. */
  saved: string;
  /** The version of `saved`; every save is conflict-checked against it. */
  version: string;
  buffer: string;
  readOnly: string | null;
  /** Set when the file changed on disk while the buffer had unsaved edits. */
  onDisk: { content: string; version: string } | null;
  /** Deleted on disk while it had unsaved edits: saving must never write the old path back silently. */
  deletedOnDisk: boolean;
  /** A save asked for while the server was unreachable, sent when it is back. */
  queued: boolean;
  view: 'edit' | 'diff-saved' | 'diff-disk';
}

/** A file as the files API reads it. */
export interface DiskFile { content: string | null; version: string; size: number; binary: boolean; tooLarge: boolean }

export const isDirty = (t: Tab) => t.buffer !== t.saved || t.deletedOnDisk;


export function tabFromDisk(path: string, file: DiskFile): Tab {
  const readOnly = file.binary ? 'Binary file: shown read-only.' : file.tooLarge ? `Large file (${Math.round(file.size / 1024)} KiB): shown read-only, truncated.` : null;
  const content = file.content ?? '';
  return { path, saved: content, version: file.version, buffer: content, readOnly, onDisk: null, deletedOnDisk: false, queued: false, view: 'edit' };
}

/** A rename retitles the tabs it moved. */
export function renameTabs(tabs: Tab[], from: string, to: string): Tab[] {
  return tabs.map((t) => (isAt(t.path, from) ? { ...t, path: renamedPath(t.path, from, to) } : t));
}

/**
 * Deleted paths: clean tabs close; a tab with unsaved edits stays, marked deleted on disk, so the
 * edits can be saved elsewhere or the file deliberately recreated.
 */
export function removeTabs(tabs: Tab[], paths: string[]): { tabs: Tab[]; closed: string[] } {
  const hit = (t: Tab) => paths.some((p) => isAt(t.path, p));
  const closed = tabs.filter((t) => hit(t) && !isDirty(t)).map((t) => t.path);
  const kept = tabs.filter((t) => !closed.includes(t.path))
    .map((t) => (hit(t) ? { ...t, deletedOnDisk: true, onDisk: null, queued: false, view: 'edit' as const } : t));
  return { tabs: kept, closed };
}

/** What is kept in the browser: every open path, and the buffers of those with unsaved edits. */
export function toStored(tabs: Tab[], active: string | null): EditorState {
  return {
    active,
    tabs: tabs.map((t): StoredTab => ({
      path: t.path,
      version: t.version,
      ...(isDirty(t) ? { unsaved: { saved: t.saved, buffer: t.buffer } } : {}),
      ...(t.queued ? { queued: true } : {}),
      ...(t.deletedOnDisk ? { deletedOnDisk: true } : {}),
    })),
  };
}

/**
 * A stored tab against the file as it is on disk now (`null`: gone). A clean tab is simply the
 * file; unsaved edits are restored onto the version they were based on, and when the disk moved
 * on since, the difference is shown as a change on disk, never silently merged or dropped.
 */
export function restoreTab(stored: StoredTab, disk: DiskFile | null): Tab | null {
  if (!stored.unsaved) return disk ? tabFromDisk(stored.path, disk) : null;
  const { saved, buffer } = stored.unsaved;
  const base: Tab = { path: stored.path, saved, version: stored.version, buffer, readOnly: null, onDisk: null, deletedOnDisk: false, queued: !!stored.queued, view: 'edit' };
  if (!disk || stored.deletedOnDisk) return { ...base, deletedOnDisk: true, queued: false };
  if (disk.version === stored.version) return base;
  return { ...base, onDisk: { content: disk.content ?? '', version: disk.version } };
}
