'use client';
// "Show .git in the file tree": off by default (the repository's insides are git's business and
// crowd the tree), remembered in this browser, shared by the tree and the git panel.
import { useCallback, useSyncExternalStore } from 'react';

const KEY = 'tether.showGitFolder';
const CHANGED = 'tether:tree-settings';

const subscribe = (onChange: () => void) => {
  window.addEventListener(CHANGED, onChange);
  window.addEventListener('storage', onChange);
  return () => { window.removeEventListener(CHANGED, onChange); window.removeEventListener('storage', onChange); };
};

export function useShowGitFolder(): [boolean, (show: boolean) => void] {
  const show = useSyncExternalStore(subscribe, () => localStorage.getItem(KEY) === '1', () => false);
  const set = useCallback((value: boolean) => {
    localStorage.setItem(KEY, value ? '1' : '0');
    window.dispatchEvent(new Event(CHANGED));
  }, []);
  return [show, set];
}
