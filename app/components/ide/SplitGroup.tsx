'use client';
// The editor's second group: a split shows a second file (or the same one, sharing its model, so
// edits appear in both) beside the first. Opening a file or picking a tab goes to the group that
// last had focus.
import { Editor } from '@monaco-editor/react';
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { trackEditor } from './editor-status.ts';
import { languageFor, monaco } from './monaco-setup.ts';
import './editor-tools.css';

export interface SplitState {
  /** The file shown in the second group; null when the editor is not split. */
  path: string | null;
  /** Shows `path` in the group that has focus. */
  show(path: string): void;
  focus(group: 0 | 1): void;
  /** The button that splits and unsplits. */
  toggle: ReactNode;
}

export function useSplit(active: string | null, setActive: (path: string) => void): SplitState {
  const [path, setPath] = useState<string | null>(null);
  const focused = useRef<0 | 1>(0);
  const split = path !== null;
  const show = useCallback((p: string) => {
    if (split && focused.current === 1) setPath(p);
    else setActive(p);
  }, [split, setActive]);
  const focus = useCallback((g: 0 | 1) => { focused.current = g; }, []);
  const toggle = (
    <button type="button" className="ghost small" aria-pressed={split} disabled={!split && !active}
      title="Show a second editor beside this one" onClick={() => {
        focused.current = split ? 0 : 1;
        setPath(split ? null : active);
      }}>{split ? 'Close split' : 'Split editor'}</button>
  );
  return { path, show, focus, toggle };
}

/**
 * Ctrl+S saves the file this editor shows. An action, not `addCommand`: Monaco's commands are
 * global (the last editor to add one would save for every editor), an action belongs to its editor.
 */
export function addSaveAction(editor: monaco.editor.IStandaloneCodeEditor, save: (path: string) => void) {
  editor.addAction({
    id: 'tether.save', label: 'Save', keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS],
    run: (ed) => { const p = ed.getModel()?.uri.path.replace(/^\//, ''); if (p) save(p); },
  });
}

interface GroupTab { path: string; buffer: string; readOnly: string | null }

export function SplitGroup({ tab, theme, readOnly, onFocus, onChange, onSave }: {
  tab: GroupTab | null; theme: string; readOnly: boolean;
  onFocus(): void; onChange(path: string, buffer: string): void; onSave(path: string): void;
}) {
  const saveRef = useRef(onSave);
  saveRef.current = onSave;
  return (
    <div className="editor-group" role="group" aria-label={`Editor group 2${tab ? `: ${tab.path}` : ''}`}>
      {tab
        ? <Editor
            path={tab.path}
            keepCurrentModel
            defaultValue={tab.buffer}
            language={languageFor(tab.path)}
            theme={theme}
            options={{ readOnly: readOnly || !!tab.readOnly, minimap: { enabled: false }, fontSize: 13, automaticLayout: true, scrollBeyondLastLine: false }}
            onChange={(value) => onChange(tab.path, value ?? '')}
            onMount={(editor) => {
              trackEditor(editor);
              editor.onDidFocusEditorText(onFocus);
              addSaveAction(editor, (p) => saveRef.current(p));
            }}
          />
        : <p className="muted placeholder">The file was closed. Pick a tab to show it here.</p>}
    </div>
  );
}
