'use client';
import { DiffEditor, Editor } from '@monaco-editor/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTRPCClient } from '../../lib/trpc.ts';
import { languageFor, monaco } from './monaco-setup.ts';
import { useMonacoTheme } from './useMonacoTheme.ts';

interface Tab {
  path: string;
  /** The file as on disk when last read or saved. */
  saved: string;
  version: string;
  buffer: string;
  readOnly: string | null;
  /** Set when the file changed on disk while the buffer had unsaved edits. */
  onDisk: { content: string; version: string } | null;
  view: 'edit' | 'diff-saved' | 'diff-disk';
}

const isDirty = (t: Tab) => t.buffer !== t.saved;

/**
 * The editor is uncontrolled (a controlled value drops keystrokes while React re-renders):
 * content that comes from outside the keyboard — a reload from disk — is pushed into the model.
 */
function setModelContent(path: string, content: string) {
  const model = monaco.editor.getModel(monaco.Uri.parse(path));
  if (model && model.getValue() !== content) model.setValue(content);
}
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export interface EditorHandle { open(path: string): void; changed(paths: string[]): void; removed(paths: string[]): void }

/** Editor tabs over the workspace's files: open, edit, save, and reconcile with changes on disk. */
export function EditorArea({ sessionId, onReady, readOnlyWorkspace }: { sessionId: string; onReady: (h: EditorHandle) => void; readOnlyWorkspace: boolean }) {
  const client = useTRPCClient();
  const [tabs, setTabs] = useState<Tab[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const theme = useMonacoTheme();
  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;

  const update = useCallback((path: string, patch: Partial<Tab>) => setTabs((ts) => ts.map((t) => (t.path === path ? { ...t, ...patch } : t))), []);

  const open = useCallback(async (path: string) => {
    setActive(path);
    if (tabsRef.current.some((t) => t.path === path)) return;
    try {
      const file = await client.files.read.query({ sessionId, path });
      const readOnly = file.binary ? 'Binary file: shown read-only.' : file.tooLarge ? `Large file (${Math.round(file.size / 1024)} KiB): shown read-only, truncated.` : null;
      const content = file.content ?? '';
      setTabs((ts) => (ts.some((t) => t.path === path) ? ts : [...ts, { path, saved: content, version: file.version, buffer: content, readOnly, onDisk: null, view: 'edit' }]));
      setError(null);
    } catch (err) {
      setError(`Could not open ${path}: ${errorText(err)}`);
    }
  }, [client, sessionId]);

  /** Files changed on disk: clean tabs reload; dirty ones keep the edits and show a warning. */
  const changed = useCallback(async (paths: string[]) => {
    for (const tab of tabsRef.current.filter((t) => paths.includes(t.path) && !t.readOnly)) {
      try {
        const file = await client.files.read.query({ sessionId, path: tab.path });
        if (file.version === tab.version) continue;
        const content = file.content ?? '';
        if (isDirty(tab)) update(tab.path, { onDisk: { content, version: file.version } });
        else {
          setModelContent(tab.path, content);
          update(tab.path, { saved: content, buffer: content, version: file.version, onDisk: null });
        }
      } catch {
        // Deleted meanwhile: `removed` handles it.
      }
    }
  }, [client, sessionId, update]);

  /** Deleted files close unless they hold unsaved edits (which the user can still save elsewhere). */
  const removed = useCallback((paths: string[]) => {
    const gone = (t: Tab) => paths.some((p) => t.path === p || t.path.startsWith(`${p}/`)) && !isDirty(t);
    for (const t of tabsRef.current.filter(gone)) monaco.editor.getModel(monaco.Uri.parse(t.path))?.dispose();
    setTabs((ts) => ts.filter((t) => !gone(t)));
  }, []);

  useEffect(() => { onReady({ open: (p) => void open(p), changed: (p) => void changed(p), removed }); }, [onReady, open, changed, removed]);

  const save = useCallback(async (path: string, force = false) => {
    const tab = tabsRef.current.find((t) => t.path === path);
    if (!tab || tab.readOnly) return;
    try {
      const res = await client.files.write.mutate({ sessionId, path, content: tab.buffer, expectedVersion: force ? undefined : tab.version });
      update(path, { saved: tab.buffer, version: res.version, onDisk: null, view: 'edit' });
      setError(null);
    } catch (err) {
      const e = err as { data?: { code?: string } };
      if (e.data?.code === 'CONFLICT') {
        const file = await client.files.read.query({ sessionId, path });
        update(path, { onDisk: { content: file.content ?? '', version: file.version }, view: 'diff-disk' });
        setError(`${path} changed on disk since you opened it. Compare, then overwrite or reload.`);
      } else {
        setError(`Could not save ${path}: ${errorText(err)}`);
      }
    }
  }, [client, sessionId, update]);

  const saveRef = useRef(save);
  saveRef.current = save;
  const activeRef = useRef(active);
  activeRef.current = active;

  const close = (path: string) => {
    const tab = tabs.find((t) => t.path === path);
    if (tab && isDirty(tab) && !window.confirm(`${path} has unsaved changes. Close it anyway?`)) return;
    const rest = tabs.filter((t) => t.path !== path);
    monaco.editor.getModel(monaco.Uri.parse(path))?.dispose();
    setTabs(rest);
    if (active === path) setActive(rest.at(-1)?.path ?? null);
  };

  const tab = tabs.find((t) => t.path === active) ?? null;
  const readOnly = !!tab?.readOnly || readOnlyWorkspace;

  return (
    <section className="panel editor-area" role="region" aria-label="Editor">
      <div className="tabs" role="tablist" aria-label="Open files">
        {tabs.map((t) => (
          <div key={t.path} className="tab" data-active={t.path === active || undefined} title={t.path}>
            <button type="button" role="tab" aria-selected={t.path === active} onClick={() => setActive(t.path)}>
              {t.path.split('/').pop()}{isDirty(t) && <span className="dirty" aria-label="unsaved changes"> ●</span>}
            </button>
            <button type="button" className="tab-close" aria-label={`Close ${t.path}`} onClick={() => close(t.path)}>×</button>
          </div>
        ))}
        <div className="spacer" />
        {tab && !readOnly && (
          <>
            <button type="button" className="ghost small" aria-pressed={tab.view === 'diff-saved'} onClick={() => update(tab.path, { view: tab.view === 'diff-saved' ? 'edit' : 'diff-saved' })}>Compare with saved</button>
            <button type="button" className="primary small" onClick={() => void save(tab.path)} disabled={!isDirty(tab) && !tab.onDisk}>Save</button>
          </>
        )}
      </div>
      {error && <p role="alert" className="banner error">{error}</p>}
      {tab?.readOnly && <p role="status" className="banner">{tab.readOnly}</p>}
      {tab?.onDisk && (
        <div role="alert" className="banner warn">
          <span>{tab.path} changed on disk while you were editing it.</span>
          <button type="button" className="ghost small" onClick={() => update(tab.path, { view: 'diff-disk' })}>Compare</button>
          <button type="button" className="ghost small" onClick={() => {
            setModelContent(tab.path, tab.onDisk!.content);
            update(tab.path, { saved: tab.onDisk!.content, buffer: tab.onDisk!.content, version: tab.onDisk!.version, onDisk: null, view: 'edit' });
          }}>Reload from disk</button>
          <button type="button" className="ghost small danger" onClick={() => void save(tab.path, true)}>Overwrite with mine</button>
        </div>
      )}
      <div className="editor-body">
        {!tab && <p className="muted placeholder">Open a file from the tree.</p>}
        {tab && tab.view === 'edit' && (
          <Editor
            path={tab.path}
            keepCurrentModel
            defaultValue={tab.buffer}
            language={languageFor(tab.path)}
            theme={theme}
            options={{ readOnly, minimap: { enabled: false }, fontSize: 13, automaticLayout: true, scrollBeyondLastLine: false }}
            onChange={(value) => update(tab.path, { buffer: value ?? '' })}
            onMount={(editor) => {
              editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => { if (activeRef.current) void saveRef.current(activeRef.current); });
            }}
          />
        )}
        {tab && tab.view !== 'edit' && (
          <div className="diff-wrap" role="region" aria-label={tab.view === 'diff-disk' ? 'Changes on disk compared with your buffer' : 'Saved file compared with your buffer'}>
            <p className="banner">{tab.view === 'diff-disk' ? 'Left: the file on disk now. Right: your buffer.' : 'Left: the saved file. Right: your buffer (read-only view).'}
              <button type="button" className="ghost small" onClick={() => update(tab.path, { view: 'edit' })}>Back to editing</button></p>
            <DiffEditor
              original={tab.view === 'diff-disk' ? tab.onDisk?.content ?? tab.saved : tab.saved}
              modified={tab.buffer}
              language={languageFor(tab.path)}
              theme={theme}
              options={{ readOnly: true, originalEditable: false, renderSideBySide: true, minimap: { enabled: false }, automaticLayout: true }}
            />
          </div>
        )}
      </div>
    </section>
  );
}
