'use client';
import { useSyncExternalStore } from 'react';

/**
 * "Tab moves focus" (VS Code's Ctrl+M): while on, the terminal and the editor let Tab move focus
 * out of them instead of typing it, so a keyboard user is never trapped in a panel. One mode for
 * the whole page, because it is the person's choice, not a panel's.
 */
let on = false;
const listeners = new Set<() => void>();

export function tabMovesFocus(): boolean {
  return on;
}

export function toggleTabMovesFocus(): boolean {
  on = !on;
  listeners.forEach((l) => l());
  return on;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

export function useTabMovesFocus(): boolean {
  return useSyncExternalStore(subscribe, tabMovesFocus, () => false);
}

/** Ctrl+M, the key VS Code uses for the same toggle. */
export function isTabFocusToggle(e: KeyboardEvent): boolean {
  return e.type === 'keydown' && e.ctrlKey && !e.altKey && !e.shiftKey && !e.metaKey && e.key.toLowerCase() === 'm';
}
