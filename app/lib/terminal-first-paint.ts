'use client';
// The terminal comes first on a session page: the editor (Monaco) and the agent panel load their
// code once the first terminal has drawn its shell's output, or once the page knows there is no
// terminal to wait for. A late terminal never holds them back longer than WAIT_LIMIT_MS.

/** Past this the heavier panels load anyway (a slow workspace, a terminal that never prints). */
const WAIT_LIMIT_MS = 1_500;

let settle: () => void = () => {};
const firstTerminal = new Promise<void>((resolve) => { settle = resolve; });

/** Called when a terminal drew its first output, or when no terminal will be shown. */
export function firstTerminalSettled(): void { settle(); }

/** Resolves when the heavier panels may load. */
export function afterFirstTerminal(): Promise<void> {
  return Promise.race([firstTerminal, new Promise<void>((r) => setTimeout(r, WAIT_LIMIT_MS))]);
}
