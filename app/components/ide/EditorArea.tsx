'use client';
import { Editor } from '@monaco-editor/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorCode, errorText, isUnreachable } from '../../lib/server-errors.ts';
import { getSocket } from '../../lib/socket.ts';
import { useTabMovesFocus } from '../../lib/tab-focus-mode.ts';
import { useTRPCClient } from '../../lib/trpc.ts';
import { useKeptState, useUnsavedGuard } from '../../lib/useKeptState.ts';
import { isAt, renamedPath } from '../../lib/workspace-paths.ts';
import { browserStorage, loadState } from '../../lib/workspace-state.ts';
import { ClosableTab } from '../layout/ClosableTab.tsx';
import { isDirty, removeTabs, renameTabs, restoreTab, tabFromDisk, toStored, type DiskFile, type Tab } from './editor-tabs.ts';
import { ErrorBanner } from './ErrorBanner.tsx';
import { MergeEditor } from './MergeEditor.tsx';
import { languageFor, monaco } from './monaco-setup.ts';
import { trackEditor } from './editor-status.ts';
import { addSaveAction, SplitGroup, useSplit } from './SplitGroup.tsx';
import { useMonacoTheme } from './useMonacoTheme.ts';

/** While saves wait for the server, they are retried this often (and at once when the socket is back). */
const QUEUE_RETRY_MS = 5_000;

const modelOf = (path: string) => monaco.editor.getModel(monaco.Uri.parse(path));
/**
 * The editor is uncontrolled (a controlled value drops keystrokes while React re-renders):
 * content that comes from outside the keyboard — a reload from disk — is pushed into the model.
 */
function setModelContent(path: string, content: string) {
  const model = modelOf(path);
  if (model && model.getValue() !== content) model.setValue(content);
}

/** The text to save: the model's own (state can lag the last keystroke by a render), else the kept buffer. */
const currentText = (t: Tab) => modelOf(t.path)?.getValue() ?? t.buffer;

export interface EditorHandle {
  open(path: string): void;
  changed(paths: string[]): void;
  removed(paths: string[]): void;
  /** A rename asked for here; `done` says whether it happened. */
  renamed(from: string, to: string, done: Promise<boolean>): void;
}

/** Editor tabs over the workspace's files: open, edit, save, and reconcile with changes on disk. */
export function EditorArea({ sessionId, userId, onReady, readOnlyWorkspace }: { sessionId: string; userId: string; onReady: (h: EditorHandle) => void; readOnlyWorkspace: boolean }) {
  const client = useTRPCClient();
  const [tabs, setTabs] = useState<Tab[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [restored, setRestored] = useState(false);
  const theme = useMonacoTheme();
  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;
  const split = useSplit(active, setActive);

  const readDisk = useCallback(async (path: string): Promise<DiskFile | null> => {
    try {
      return await client.files.read.query({ sessionId, path });
    } catch (err) {
      if (errorCode(err) === 'NOT_FOUND') return null;
      throw err;
    }
  }, [client, sessionId]);

  // Reopen what this browser kept for the session, each tab checked against the disk.
  useEffect(() => {
    const storage = browserStorage();
    const kept = storage && loadState(storage, { userId, sessionId }, 'editor');
    if (!kept) { setRestored(true); return; }
    let cancelled = false;
    void Promise.all(kept.tabs.map(async (s) => {
      try {
        return restoreTab(s, await readDisk(s.path));
      } catch (err) {
        // Unknown disk state: unsaved edits come back as they were (their save is still checked).
        if (s.unsaved) return restoreTab(s, { content: s.unsaved.saved, version: s.version, size: 0, binary: false, tooLarge: false });
        setError(`Could not reopen ${s.path}: ${errorText(err)}`);
        return null;
      }
    })).then((restoredTabs) => {
      if (cancelled) return;
      const open = restoredTabs.filter((t): t is Tab => t !== null);
      setTabs(open);
      setActive(open.some((t) => t.path === kept.active) ? kept.active : open.at(-1)?.path ?? null);
      setRestored(true);
    });
    return () => { cancelled = true; };
  }, [userId, sessionId, readDisk]);

  const kept = useMemo(() => toStored(tabs, active), [tabs, active]);
  const keepFor = useMemo(() => ({ userId, sessionId }), [userId, sessionId]);
  const keepError = useKeptState(keepFor, 'editor', kept, restored);
  useUnsavedGuard(tabs.some((t) => isDirty(t) || t.queued));

  // Monaco keeps a model per path until told otherwise: drop those of tabs that are gone.
  const modelPaths = useRef(new Set<string>());
  useEffect(() => {
    const open = new Set(tabs.map((t) => t.path));
    for (const p of modelPaths.current) if (!open.has(p)) modelOf(p)?.dispose();
    modelPaths.current = open;
  }, [tabs]);

  const update = useCallback((path: string, patch: Partial<Tab>) => setTabs((ts) => ts.map((t) => (t.path === path ? { ...t, ...patch } : t))), []);

  const open = useCallback(async (path: string) => {
    split.show(path);
    if (tabsRef.current.some((t) => t.path === path)) return;
    try {
      const file = await client.files.read.query({ sessionId, path });
      setTabs((ts) => (ts.some((t) => t.path === path) ? ts : [...ts, tabFromDisk(path, file)]));
      setError(null);
    } catch (err) {
      setError(`Could not open ${path}: ${errorText(err)}`);
    }
  }, [client, sessionId, split.show]);

  const removed = useCallback((paths: string[]) => {
    setTabs((ts) => removeTabs(ts, paths).tabs);
    setActive((a) => (a && removeTabs(tabsRef.current, paths).closed.includes(a) ? null : a));
  }, []);

  // Renames in flight: the watcher's notice that the old path is gone can come before the answer,
  // and must not close the tab the rename is about to retitle.
  const renaming = useRef(new Set<string>());
  const renamed = useCallback((from: string, to: string, done: Promise<boolean>) => {
    renaming.current.add(from);
    void done.then((ok) => {
      renaming.current.delete(from);
      if (!ok) return;
      setTabs((ts) => renameTabs(ts, from, to));
      setActive((a) => (a === null ? a : renamedPath(a, from, to)));
    });
  }, []);

  /** Files changed on disk: clean tabs reload; dirty ones keep the edits and show a warning. */
  const changed = useCallback(async (paths: string[]) => {
    for (const path of paths) {
      const before = tabsRef.current.find((t) => t.path === path);
      if (!before || before.readOnly || before.deletedOnDisk) continue;
      try {
        const file = await readDisk(path);
        // Looked up again: the tab may have been renamed, closed or saved while the read ran.
        const tab = tabsRef.current.find((t) => t.path === path);
        if (!tab) continue;
        if (!file) {
          if (![...renaming.current].some((from) => isAt(path, from))) removed([path]);
          continue;
        }
        if (file.version === tab.version || file.version === tab.onDisk?.version) continue;
        const content = file.content ?? '';
        if (isDirty(tab)) update(path, { onDisk: { content, version: file.version } });
        else {
          setModelContent(path, content);
          update(path, { saved: content, buffer: content, version: file.version, onDisk: null });
        }
      } catch (err) {
        // The next change or reconnect checks again; nothing in the buffer is touched.
        console.warn(`Could not re-read ${path} after a change on disk:`, err);
      }
    }
  }, [readDisk, removed, update]);

  useEffect(() => { onReady({ open: (p) => void open(p), changed: (p) => void changed(p), removed, renamed }); }, [onReady, open, changed, removed, renamed]);

  /**
   * Saves the buffer if the file on disk is still `base` (the version the edits were made on,
   * unless the person chose to save over a newer one). Someone else's change is never overwritten
   * unseen: it comes back as a conflict to compare and merge. Unreachable: queued, kept, retried.
   */
  const saving = useRef(new Set<string>());
  const save = useCallback(async (path: string, base?: string) => {
    const tab = tabsRef.current.find((t) => t.path === path);
    if (!tab || tab.readOnly) return;
    if (tab.deletedOnDisk) {
      setError(`${path} was deleted on disk; use "Recreate file" to save your edits there.`);
      return;
    }
    // One save per file at a time: a second one would be checked against the version the first replaces.
    if (saving.current.has(path)) return;
    saving.current.add(path);
    const content = currentText(tab);
    try {
      const res = await client.files.write.mutate({ sessionId, path, content, expectedVersion: base ?? tab.version });
      update(path, { saved: content, buffer: currentText(tab), version: res.version, onDisk: null, queued: false, view: 'edit' });
      setError(null);
    } catch (err) {
      if (isUnreachable(err)) { update(path, { queued: true }); return; }
      if (errorCode(err) !== 'CONFLICT') { update(path, { queued: false }); setError(`Could not save ${path}: ${errorText(err)}`); return; }
      try {
        const file = await readDisk(path);
        if (!file) update(path, { deletedOnDisk: true, onDisk: null, queued: false, view: 'edit' });
        // Already there (the same edit made twice, or a save whose answer the outage swallowed).
        else if (file.content === content) update(path, { saved: content, version: file.version, onDisk: null, queued: false, view: 'edit' });
        else update(path, { onDisk: { content: file.content ?? '', version: file.version }, queued: false, view: 'diff-disk' });
      } catch (readErr) {
        setError(`Could not save ${path}: it changed on disk, and reading it failed: ${errorText(readErr)}`);
      }
    } finally {
      saving.current.delete(path);
    }
  }, [client, sessionId, update, readDisk]);

  /** A deliberate save of a deleted file's edits: only if nobody has recreated it meanwhile. */
  const recreate = useCallback(async (path: string) => {
    const tab = tabsRef.current.find((t) => t.path === path);
    if (!tab) return;
    try {
      const made = await client.files.create.mutate({ sessionId, path, kind: 'file' });
      const content = currentText(tab);
      const res = await client.files.write.mutate({ sessionId, path, content, expectedVersion: made.version ?? undefined });
      update(path, { deletedOnDisk: false, saved: content, buffer: currentText(tab), version: res.version, onDisk: null });
      setError(null);
    } catch (err) {
      // Someone made the file meanwhile (the API answers CONFLICT): compare instead of overwriting.
      if (errorCode(err) === 'CONFLICT') {
        const file = await readDisk(path).catch(() => null);
        if (file) { update(path, { deletedOnDisk: false, onDisk: { content: file.content ?? '', version: file.version }, view: 'diff-disk' }); return; }
      }
      setError(`Could not recreate ${path}: ${errorText(err)}`);
    }
  }, [client, sessionId, update, readDisk]);

  const saveRef = useRef(save);
  saveRef.current = save;
  const activeRef = useRef(active);
  activeRef.current = active;

  // Queued saves go out when the server is back (the socket reconnects) and on a timer meanwhile;
  // tabs are re-checked against the disk then, since change notices sent during the outage were lost.
  const queuedCount = tabs.filter((t) => t.queued).length;
  useEffect(() => {
    const socket = getSocket();
    const flush = () => {
      for (const t of tabsRef.current) if (t.queued) void saveRef.current(t.path);
    };
    const resync = () => {
      flush();
      void changed(tabsRef.current.filter((t) => !t.queued).map((t) => t.path));
    };
    socket.on('connect', resync);
    const timer = queuedCount > 0 ? setInterval(flush, QUEUE_RETRY_MS) : undefined;
    return () => { socket.off('connect', resync); clearInterval(timer); };
  }, [queuedCount, changed]);
  // Saves restored from a previous page go out once the tabs are back.
  useEffect(() => {
    if (restored) for (const t of tabsRef.current) if (t.queued) void saveRef.current(t.path);
  }, [restored]);

  const close = (path: string) => {
    const tab = tabs.find((t) => t.path === path);
    if (tab && isDirty(tab) && !window.confirm(`${path} has unsaved changes. Close it anyway?`)) return;
    const rest = tabs.filter((t) => t.path !== path);
    setTabs(rest);
    if (active === path) setActive(rest.at(-1)?.path ?? null);
  };

  const takeDisk = (t: Tab) => {
    const disk = t.onDisk!;
    setModelContent(t.path, disk.content);
    update(t.path, { saved: disk.content, buffer: disk.content, version: disk.version, onDisk: null, view: 'edit' });
  };

  const tab = tabs.find((t) => t.path === active) ?? null;
  const tabFocusMode = useTabMovesFocus();
  const readOnly = !!tab?.readOnly || readOnlyWorkspace;
  /** What a save from the current view is checked against: the disk version the person has seen. */
  const saveActive = (t: Tab) => void save(t.path, t.view === 'diff-disk' ? t.onDisk?.version : undefined);

  return (
    <section className="panel editor-area" role="region" aria-label="Editor">
      <div className="tabs">
        <div className="tab-list" role="tablist" aria-label="Open files">
          {tabs.map((t) => (
            <ClosableTab key={t.path} label={t.path.split('/').pop()!} title={t.path} selected={t.path === active} onSelect={() => split.show(t.path)} onClose={() => close(t.path)}
              extra={<>
                {t.deletedOnDisk && <span className="deleted"> (deleted on disk)</span>}
                {isDirty(t) && <span className="dirty" role="img" aria-label={t.queued ? 'unsaved changes, save queued' : 'unsaved changes'}> ●</span>}
              </>} />
          ))}
        </div>
        <div className="spacer" />
        {split.toggle}
        {tab && !readOnly && (
          <>
            <button type="button" className="ghost small" aria-pressed={tab.view === 'diff-saved'} onClick={() => update(tab.path, { view: tab.view === 'diff-saved' ? 'edit' : 'diff-saved' })}>Compare with saved</button>
            <button type="button" className="primary small" onClick={() => saveActive(tab)} disabled={(!isDirty(tab) && !tab.onDisk) || tab.deletedOnDisk}>Save</button>
          </>
        )}
      </div>
      <ErrorBanner error={error ?? keepError} onDismiss={() => setError(null)} />
      {queuedCount > 0 && <p role="status" className="banner warn">The server cannot be reached: {queuedCount === 1 ? '1 save is' : `${queuedCount} saves are`} queued and will be sent when it is back.</p>}
      {tab?.readOnly && <p role="status" className="banner">{tab.readOnly}</p>}
      {tab?.deletedOnDisk && (
        <div role="alert" className="banner warn">
          <span>{tab.path} was deleted on disk. Your edits are kept here and are not written anywhere until you choose.</span>
          {!readOnly && <button type="button" className="ghost small" onClick={() => void recreate(tab.path)}>Recreate file</button>}
        </div>
      )}
      {tab?.onDisk && (
        <div role="alert" className="banner warn">
          <span>{tab.path} changed on disk while you were editing it.</span>
          <button type="button" className="ghost small" onClick={() => update(tab.path, { view: 'diff-disk' })}>Compare</button>
          <button type="button" className="ghost small" onClick={() => takeDisk(tab)}>Take the disk version</button>
          {!readOnly && <button type="button" className="ghost small danger" onClick={() => void save(tab.path, tab.onDisk!.version)}>Keep mine</button>}
        </div>
      )}
      <div className="editor-body" data-split={split.path !== null || undefined}>
        {!tab && <p className="muted placeholder">Open a file from the tree.</p>}
        {tab && tab.view === 'edit' && (
          <Editor
            path={tab.path}
            keepCurrentModel
            defaultValue={tab.buffer}
            language={languageFor(tab.path)}
            theme={theme}
            options={{ readOnly, minimap: { enabled: false }, fontSize: 13, automaticLayout: true, scrollBeyondLastLine: false, tabFocusMode }}
            onChange={(value) => update(tab.path, { buffer: value ?? '' })}
            onMount={(editor) => {
              trackEditor(editor);
              editor.onDidFocusEditorText(() => split.focus(0));
              addSaveAction(editor, (p) => void saveRef.current(p));
            }}
          />
        )}
        {tab && tab.view !== 'edit' && (
          <div key={tab.path} className="diff-wrap" role="region" aria-label={tab.view === 'diff-disk' ? 'Changes on disk compared with your buffer' : 'Saved file compared with your buffer'}>
            <p className="banner">{tab.view === 'diff-disk' ? 'Left: the file on disk now. Right: your version — edit it to merge, then save.' : 'Left: the saved file. Right: your buffer.'}
              {tab.view === 'diff-disk' && !readOnly && <button type="button" className="primary small" onClick={() => saveActive(tab)}>Save merged</button>}
              <button type="button" className="ghost small" onClick={() => update(tab.path, { view: 'edit' })}>Back to editing</button></p>
            <MergeEditor
              tab={tab}
              theme={theme}
              readOnly={readOnly}
              onEdit={(buffer) => update(tab.path, { buffer })}
              onSave={() => {
                const t = tabsRef.current.find((x) => x.path === activeRef.current);
                if (t) saveActive(t);
              }}
            />
          </div>
        )}
        {split.path !== null && (
          <SplitGroup tab={tabs.find((t) => t.path === split.path) ?? null} theme={theme} readOnly={readOnlyWorkspace} onFocus={() => split.focus(1)}
            onChange={(path, buffer) => update(path, { buffer })} onSave={(path) => void save(path)} />
        )}
      </div>
    </section>
  );
}
