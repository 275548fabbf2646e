// What a person had open in a session, kept in this browser so a reload, a crash of the tab or a
// server restart loses nothing: open tabs with their unsaved buffers and queued saves, the active
// tab, the expanded folders. localStorage rather than IndexedDB because it is synchronous: the
// last keystrokes are written in `pagehide` without waiting for a promise the page may not outlive.
// What is read back is validated: another version of the app, or a person, may have written it.
// zod/mini: the same validation without the chained API, a few KiB instead of all of zod (~110 KB)
// in every session page's first JavaScript.
import { z } from 'zod/mini';

export const STORAGE_PREFIX = 'tether.workspace';

const editorTabSchema = z.object({
  path: z.string().check(z.minLength(1)),
  /** The version the buffer was based on (what a save is conflict-checked against). */
  version: z.string(),
  /** Present only while the tab has unsaved edits: the file as read, and the edited text. */
  unsaved: z.optional(z.object({ saved: z.string(), buffer: z.string() })),
  /** A save was asked for while the server could not be reached; it is sent when it is back. */
  queued: z.optional(z.boolean()),
  /** The file was deleted on disk while it had unsaved edits. */
  deletedOnDisk: z.optional(z.boolean()),
});
const editorStateSchema = z.object({ tabs: z.array(editorTabSchema), active: z.nullable(z.string()) });
const treeStateSchema = z.object({ expanded: z.array(z.string()) });

export type StoredTab = z.infer<typeof editorTabSchema>;
export type EditorState = z.infer<typeof editorStateSchema>;
export type TreeState = z.infer<typeof treeStateSchema>;

const schemas = { editor: editorStateSchema, tree: treeStateSchema };
type Part = keyof typeof schemas;
type StateOf<P extends Part> = z.infer<(typeof schemas)[P]>;

/** Whose state: per person as well as per session, so someone else signing in on this browser never sees it. */
export interface KeptFor { userId: string; sessionId: string }

export const storageKey = (k: KeptFor, part: Part) => `${STORAGE_PREFIX}.${k.userId}.${k.sessionId}.${part}`;

/** The stored state, or null when there is none or it is unreadable (then it is dropped). */
export function loadState<P extends Part>(storage: Storage, k: KeptFor, part: P): StateOf<P> | null {
  const key = storageKey(k, part);
  const raw = storage.getItem(key);
  if (raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const result = schemas[part].safeParse(parsed);
  if (result.success) return result.data as StateOf<P>;
  console.warn(`Dropped unreadable ${part} state kept for session ${k.sessionId}`);
  storage.removeItem(key);
  return null;
}

export type StoreResult = { ok: true } | { ok: false; error: string };

/** Writes the state; a full or blocked storage is reported, never thrown. */
export function storeState<P extends Part>(storage: Storage, k: KeptFor, part: P, state: StateOf<P>): StoreResult {
  try {
    storage.setItem(storageKey(k, part), JSON.stringify(state));
    return { ok: true };
  } catch (err) {
    const why = err instanceof DOMException && err.name === 'QuotaExceededError' ? 'this browser’s storage for the site is full' : err instanceof Error ? err.message : String(err);
    console.error(`Could not keep the ${part} state of session ${k.sessionId}:`, err);
    return { ok: false, error: why };
  }
}

/** localStorage where the page may use it (not in the server render, not when the browser blocks it). */
export function browserStorage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}
