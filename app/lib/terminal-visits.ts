'use client';
// Which sessions this browser has opened a terminal for on its own. The first visit to a session
// opens one; later visits show the terminals that are open on the server (none if they were closed).

const KEY_PREFIX = 'tether.terminal.visited.';

/** True once per session and browser; records the visit. Without storage every visit is a first. */
export function firstVisit(sessionId: string, storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = globalThis.localStorage): boolean {
  try {
    if (storage?.getItem(KEY_PREFIX + sessionId)) return false;
    storage?.setItem(KEY_PREFIX + sessionId, '1');
  } catch { /* storage blocked */ }
  return true;
}
