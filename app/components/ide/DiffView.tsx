'use client';
// Monaco's diff editor (from the local package) for every diff a person reads: the git panel's
// file changes, the agent's edits. Read-only; inline by default, since it usually sits in a
// narrow column, where side by side would cut both sides short. Load it with next/dynamic
// ({ ssr: false }): Monaco touches `window` when its module loads.
import { useEffect, useRef } from 'react';
import { languageFor, monaco } from './monaco-setup.ts';
import { useMonacoTheme } from './useMonacoTheme.ts';

export interface DiffViewProps {
  original: string;
  modified: string;
  /** Picks the language (by extension). */
  path: string;
  /** The region's accessible name, e.g. "Diff of src/a.ts". */
  label: string;
  sideBySide?: boolean;
  height?: number | string;
}

export function DiffView({ original, modified, path, label, sideBySide = false, height = 320 }: DiffViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneDiffEditor | null>(null);
  const theme = useMonacoTheme();

  useEffect(() => {
    const e = monaco.editor.createDiffEditor(host.current!, {
      readOnly: true, originalEditable: false, renderSideBySide: sideBySide, automaticLayout: true,
      minimap: { enabled: false }, scrollBeyondLastLine: false, fontSize: 12, wordWrap: 'on', diffWordWrap: 'on',
      renderOverviewRuler: false, lineNumbersMinChars: 3,
      // The +/- glyphs and the revert arrow need Monaco's icon font, which the core bundle leaves out.
      renderIndicators: false, renderMarginRevertIcon: false,
    });
    editor.current = e;
    return () => {
      const models = e.getModel();
      e.dispose();
      models?.original.dispose();
      models?.modified.dispose();
      editor.current = null;
    };
  }, [sideBySide]);

  useEffect(() => {
    const e = editor.current;
    if (!e) return;
    const language = languageFor(path);
    const previous = e.getModel();
    e.setModel({ original: monaco.editor.createModel(original, language), modified: monaco.editor.createModel(modified, language) });
    previous?.original.dispose();
    previous?.modified.dispose();
  }, [original, modified, path, sideBySide]);

  useEffect(() => { monaco.editor.setTheme(theme); }, [theme]);

  return <div ref={host} role="region" aria-label={label} className="diff-view" style={{ height }} />;
}
