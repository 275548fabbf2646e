'use client';
// How Tether makes an xterm.js terminal, whether the page's early boot makes it (before React
// has rendered, app/lib/terminal-boot.ts) or TerminalView does.
import type { Terminal } from '@xterm/xterm';
import type { terminalModules } from './terminal-modules.ts';
import type { TerminalSettings } from './terminal-settings.ts';

export type TerminalModules = Awaited<ReturnType<typeof terminalModules>>;

export function createTerminal({ Terminal }: Pick<TerminalModules, 'Terminal'>, settings: TerminalSettings): Terminal {
  return new Terminal({ cursorBlink: settings.cursorBlink, fontSize: 13, scrollback: 5000, allowProposedApi: false });
}

/**
 * The page's font and colours, read when the terminal is put on screen: the boot may make the
 * terminal before the stylesheet applies.
 */
export function styleTerminal(term: Terminal): void {
  const styles = getComputedStyle(document.documentElement);
  term.options.fontFamily = styles.getPropertyValue('--mono') || 'monospace';
  term.options.theme = { background: styles.getPropertyValue('--term-bg').trim() || '#111317', foreground: styles.getPropertyValue('--term-fg').trim() || '#e4e7ec' };
}
