'use client';
import { useEffect, useRef, useState } from 'react';
import { browserStorage, storeState, type EditorState, type KeptFor, type TreeState } from './workspace-state.ts';

/** Typing writes at most this often; `pagehide` writes whatever is newer at once. */
const WRITE_DELAY_MS = 200;

/**
 * Keeps `state` in this browser under the session's `part` once `enabled` (after it was restored,
 * so an empty first render never overwrites what was kept). Returns why it could not, if so.
 */
export function useKeptState(k: KeptFor, part: 'editor', state: EditorState, enabled: boolean): string | null;
export function useKeptState(k: KeptFor, part: 'tree', state: TreeState, enabled: boolean): string | null;
export function useKeptState({ userId, sessionId }: KeptFor, part: 'editor' | 'tree', state: EditorState | TreeState, enabled: boolean): string | null {
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const storage = browserStorage();
    if (!storage) return;
    const write = () => {
      pending.current = null;
      const k = { userId, sessionId };
      const r = part === 'editor' ? storeState(storage, k, 'editor', state as EditorState) : storeState(storage, k, 'tree', state as TreeState);
      setError(r.ok ? null : `Unsaved edits are not kept in this browser: ${r.error}.`);
    };
    pending.current = write;
    const timer = setTimeout(write, WRITE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [userId, sessionId, part, state, enabled]);

  useEffect(() => {
    const flush = () => pending.current?.();
    window.addEventListener('pagehide', flush);
    return () => { flush(); window.removeEventListener('pagehide', flush); };
  }, []);

  return error;
}

/** While `unsaved`, leaving or reloading the page asks first. */
export function useUnsavedGuard(unsaved: boolean) {
  useEffect(() => {
    if (!unsaved) return;
    const ask = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older Chromium shows the prompt only when returnValue is set.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [unsaved]);
}
