'use client';
// What this browser remembers of a session's terminals: whether it opened one on its own (the
// first visit does; later visits show what is open on the server, none if they were closed) and
// which tab was in front, so a reload shows the same terminal.

const VISITED = 'tether.terminal.visited.';
const ACTIVE = 'tether.terminal.active.';

type KeyValues = Pick<Storage, 'getItem' | 'setItem'> | undefined;

/** True once per session and browser; records the visit. Without storage every visit is a first. */
export function firstVisit(sessionId: string, storage: KeyValues = globalThis.localStorage): boolean {
  try {
    if (storage?.getItem(VISITED + sessionId)) return false;
    storage?.setItem(VISITED + sessionId, '1');
  } catch { /* storage blocked */ }
  return true;
}

export function rememberActiveTerminal(sessionId: string, terminalId: string, storage: KeyValues = globalThis.localStorage): void {
  try { storage?.setItem(ACTIVE + sessionId, terminalId); } catch { /* storage blocked */ }
}

export function rememberedActiveTerminal(sessionId: string, storage: KeyValues = globalThis.localStorage): string | null {
  try { return storage?.getItem(ACTIVE + sessionId) ?? null; } catch { return null; }
}
