'use client';
import { DiffEditor } from '@monaco-editor/react';
import { useRef, useState } from 'react';
import type { Tab } from './editor-tabs.ts';
import { languageFor, monaco } from './monaco-setup.ts';

/**
 * The diff of a tab against the saved file or the disk; its right side is the tab's own model, so
 * editing there is editing the buffer (merging). Like the editor, it is uncontrolled: the buffer
 * given once at mount, never pushed back while typing (that dropped keystrokes).
 */
export function MergeEditor({ tab, theme, readOnly, onEdit, onSave }: { tab: Tab; theme: string; readOnly: boolean; onEdit: (buffer: string) => void; onSave: () => void }) {
  const [initial] = useState(tab.buffer);
  const handlers = useRef({ onEdit, onSave });
  handlers.current = { onEdit, onSave };
  return (
    <DiffEditor
      original={tab.view === 'diff-disk' ? tab.onDisk?.content ?? tab.saved : tab.saved}
      modified={initial}
      modifiedModelPath={tab.path}
      keepCurrentModifiedModel
      originalModelPath={`original:/${tab.path}`}
      language={languageFor(tab.path)}
      theme={theme}
      options={{ readOnly, originalEditable: false, renderSideBySide: true, minimap: { enabled: false }, automaticLayout: true }}
      onMount={(diff) => {
        const modified = diff.getModifiedEditor();
        modified.onDidChangeModelContent(() => handlers.current.onEdit(modified.getValue()));
        modified.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => handlers.current.onSave());
      }}
    />
  );
}
