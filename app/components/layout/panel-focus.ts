/**
 * Moving focus between the IDE's panels (F6 / Shift+F6 / Ctrl+`), as VS Code and browsers do:
 * each panel slot carries `data-ide-panel` (the library's panels carry `data-panel`), and focus lands on the control a person works in there.
 */

/** Where focus lands in each panel; the first match that can take focus wins. */
const TARGETS: Record<string, string[]> = {
  Files: ['[role="tree"]'],
  Editor: ['.monaco-editor textarea', '[role="tab"][aria-selected="true"]'],
  Terminal: ['.terminal-host:not([hidden]) textarea'],
};
const DEFAULT_TARGETS = ['[role="tab"][aria-selected="true"]'];
const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function shown(el: HTMLElement) {
  return el.offsetWidth > 0 && el.offsetHeight > 0;
}

function focusIn(panel: HTMLElement): boolean {
  const name = panel.dataset.idePanel ?? '';
  for (const selector of [...(TARGETS[name] ?? DEFAULT_TARGETS), FOCUSABLE]) {
    for (const el of panel.querySelectorAll<HTMLElement>(selector)) {
      if (!shown(el) && !el.matches('textarea')) continue; // xterm's and Monaco's textareas are 1 px or hidden by design
      el.focus();
      if (panel.contains(document.activeElement)) return true;
    }
  }
  return false;
}

/** Focuses the next (or previous) visible panel after the one holding focus; false when there is none. */
export function cyclePanels(root: HTMLElement, backwards: boolean): boolean {
  const panels = [...root.querySelectorAll<HTMLElement>('[data-ide-panel]')].filter(shown);
  if (!panels.length) return false;
  const current = panels.findIndex((p) => p.contains(document.activeElement));
  for (let step = 1; step <= panels.length; step++) {
    const offset = backwards ? -step : step;
    const start = current === -1 ? (backwards ? 0 : -1) : current;
    const next = panels[(start + offset + panels.length * 2) % panels.length]!;
    if (focusIn(next)) return true;
  }
  return false;
}

export function isPanelCycleKey(e: KeyboardEvent): boolean {
  if (e.key === 'F6' && !e.ctrlKey && !e.altKey && !e.metaKey) return true;
  return e.ctrlKey && !e.altKey && !e.metaKey && (e.code === 'Backquote' || e.key === '`');
}
