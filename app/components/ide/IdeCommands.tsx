'use client';
// The IDE's own keys, caught before the browser acts on them (Ctrl+P would print): Ctrl+P quick
// open, Ctrl+Shift+F search across files, and F1 / Ctrl+Shift+P (command palette) and Ctrl+G (go to
// line) when the focus is outside the editor (inside it, Monaco handles them). Also the buttons
// that do the same.
import { useEffect, useState } from 'react';
import { QuickOpen } from './QuickOpen.tsx';
import { SearchPanel } from './SearchPanel.tsx';
import { revealWhenShown, runEditorAction } from './editor-status.ts';
import './editor-tools.css';

type Open = 'quick-open' | 'search' | null;

/** What a key press asks for, or null for keys the IDE leaves alone. */
export function commandForKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>, inEditor: boolean): 'quick-open' | 'search' | 'palette' | 'goto-line' | null {
  const mod = (e.ctrlKey || e.metaKey) && !e.altKey;
  const key = e.key.toLowerCase();
  if (mod && !e.shiftKey && key === 'p') return 'quick-open';
  if (mod && e.shiftKey && key === 'f') return 'search';
  if (inEditor) return null;
  if ((mod && e.shiftKey && key === 'p') || (e.key === 'F1' && !mod && !e.shiftKey)) return 'palette';
  if (mod && !e.shiftKey && key === 'g') return 'goto-line';
  return null;
}

export function IdeCommands({ sessionId, readOnly, onOpen }: { sessionId: string; readOnly: boolean; onOpen(path: string): void }) {
  const [open, setOpen] = useState<Open>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const inEditor = e.target instanceof Element && !!e.target.closest('.monaco-editor');
      const cmd = commandForKey(e, inEditor);
      if (!cmd) return;
      e.preventDefault();
      e.stopPropagation();
      if (cmd === 'palette') runEditorAction('editor.action.quickCommand');
      else if (cmd === 'goto-line') runEditorAction('editor.action.gotoLine');
      else setOpen(cmd);
    };
    // Capture: the page sees the key before Monaco or xterm.js can swallow it.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const goTo = (path: string, line?: number, column = 1) => {
    if (line) revealWhenShown(path, line, column);
    onOpen(path);
  };

  return (
    <>
      <button type="button" className="ghost small" title="Go to file (Ctrl+P)" onClick={() => setOpen('quick-open')}>Go to file</button>
      <button type="button" className="ghost small" title="Search across files (Ctrl+Shift+F)" onClick={() => setOpen('search')}>Search</button>
      {open === 'quick-open' && <QuickOpen sessionId={sessionId} onOpen={goTo} onClose={() => setOpen(null)} />}
      {open === 'search' && <SearchPanel sessionId={sessionId} readOnly={readOnly} onOpen={goTo} onClose={() => setOpen(null)} />}
    </>
  );
}
