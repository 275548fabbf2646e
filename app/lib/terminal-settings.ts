'use client';
// Terminal preferences of this browser (localStorage). Cursor blink is off by default: a blinking
// cursor repaints the terminal twice a second and each repaint competed with the echo of a
// keystroke (~18 ms p50 per keystroke in issue 12's measurements).

export type TerminalRenderer = 'dom' | 'webgl';
export interface TerminalSettings { cursorBlink: boolean; renderer: TerminalRenderer }

/**
 * WebGL where the browser has it (the DOM renderer otherwise, TerminalView falls back): it drew
 * echoes in 0.74–0.77× the DOM renderer's time in headless Chromium (docs/benchmarks.md).
 */
export const DEFAULT_TERMINAL_SETTINGS: TerminalSettings = { cursorBlink: false, renderer: 'webgl' };

const KEY = 'tether.terminal';

export function readTerminalSettings(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): TerminalSettings {
  try {
    const saved: unknown = JSON.parse(storage?.getItem(KEY) ?? '{}');
    const s = (saved && typeof saved === 'object' ? saved : {}) as Partial<Record<keyof TerminalSettings, unknown>>;
    return {
      cursorBlink: typeof s.cursorBlink === 'boolean' ? s.cursorBlink : DEFAULT_TERMINAL_SETTINGS.cursorBlink,
      renderer: s.renderer === 'webgl' || s.renderer === 'dom' ? s.renderer : DEFAULT_TERMINAL_SETTINGS.renderer,
    };
  } catch {
    return DEFAULT_TERMINAL_SETTINGS; // unreadable or blocked storage: the defaults
  }
}

export function saveTerminalSettings(settings: TerminalSettings, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try { storage?.setItem(KEY, JSON.stringify(settings)); } catch { /* storage blocked: the setting lasts for this page */ }
}
