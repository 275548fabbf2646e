'use client';
// What the focused editor shows — file, cursor, language, line endings — for the status bar, and
// "go to this line" requests from quick open and search, which open a file before its editor
// exists. Kept free of Monaco's module (types only) so the status bar does not load the editor.
import { useSyncExternalStore } from 'react';
import type { editor as MonacoEditor } from 'monaco-editor/editor/editor.api.js';

export interface CursorStatus {
  path: string;
  line: number;
  column: number;
  /** Characters selected, 0 without a selection. */
  selected: number;
  language: string;
  eol: 'LF' | 'CRLF';
}

let current: CursorStatus | null = null;
const listeners = new Set<() => void>();
const publish = (s: CursorStatus | null) => { current = s; for (const l of listeners) l(); };
let pendingReveal: { path: string; line: number; column: number } | null = null;
const editors = new Set<MonacoEditor.IStandaloneCodeEditor>();
let lastFocused: MonacoEditor.IStandaloneCodeEditor | null = null;
/** The workspace path of the file an editor shows (models are named by their path). */
const pathOf = (e: MonacoEditor.IStandaloneCodeEditor) => e.getModel()?.uri.path.replace(/^\//, '') ?? null;

function reveal(editor: MonacoEditor.IStandaloneCodeEditor, line: number, column: number) {
  editor.setPosition({ lineNumber: line, column });
  editor.revealLineInCenter(line);
  editor.focus();
}

/** Follows one editor while it has focus (or is the only one); disposed with the editor. */
export function trackEditor(editor: MonacoEditor.IStandaloneCodeEditor): void {
  const report = () => {
    const model = editor.getModel();
    const pos = editor.getPosition();
    if (!model || !pos) return;
    const path = pathOf(editor)!;
    if (pendingReveal?.path === path) {
      const { line, column } = pendingReveal;
      pendingReveal = null;
      reveal(editor, line, column);
      return; // the cursor move reports again
    }
    const sel = editor.getSelection();
    publish({
      path, line: pos.lineNumber, column: pos.column,
      selected: sel ? model.getValueLengthInRange(sel) : 0,
      language: model.getLanguageId(),
      eol: model.getEOL() === '\r\n' ? 'CRLF' : 'LF',
    });
  };
  const focused = () => editor.hasTextFocus() || editor.hasWidgetFocus() || !current;
  editor.onDidChangeCursorSelection(() => { if (focused()) report(); });
  editor.onDidChangeModel(() => report());
  editor.onDidChangeModelLanguage(() => report());
  editor.onDidFocusEditorText(() => { lastFocused = editor; report(); });
  editors.add(editor);
  editor.onDidDispose(() => {
    editors.delete(editor);
    if (lastFocused === editor) lastFocused = null;
    if (!editors.size) publish(null);
  });
  report();
}

/** Puts the cursor on `line` once `path` is shown in an editor (now, if it already is). */
export function revealWhenShown(path: string, line: number, column = 1): void {
  const shown = [...editors].find((e) => pathOf(e) === path);
  if (shown) reveal(shown, line, column);
  else pendingReveal = { path, line, column };
}

/**
 * Runs an editor action (the command palette, go to line) in the editor last used, for keys
 * pressed outside it. False when no editor is open.
 */
export function runEditorAction(id: string): boolean {
  const editor = lastFocused ?? [...editors].at(-1);
  if (!editor) return false;
  editor.focus();
  void editor.getAction(id)?.run();
  return true;
}

export function useCursorStatus(): CursorStatus | null {
  return useSyncExternalStore(
    (l) => { listeners.add(l); return () => { listeners.delete(l); }; },
    () => current,
    () => null,
  );
}
