'use client';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTRPC, useTRPCClient } from '../../lib/trpc.ts';
import { useKeptState } from '../../lib/useKeptState.ts';
import { isAt, renamedPath } from '../../lib/workspace-paths.ts';
import { browserStorage, loadState } from '../../lib/workspace-state.ts';
import { PresenceMarks } from '../presence/PresenceBar.tsx';
import { ErrorBanner } from './ErrorBanner.tsx';
import { useShowGitFolder } from './tree-settings.ts';
import { download } from './transfers.ts';
import { useFileDrop } from './useFileDrop.ts';

interface Entry { name: string; path: string; type: 'file' | 'dir' | 'symlink' | 'other'; size: number }
type Pending = { kind: 'file' | 'dir'; parent: string } | { kind: 'rename'; path: string } | null;

const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
/** `a/b/c` → `a`, `a/b`: the folders to show open so a new nested file is visible. */
const ancestors = (p: string) => p.split('/').slice(0, -1).map((_, i, names) => names.slice(0, i + 1).join('/'));

/**
 * The workspace tree (WAI-ARIA tree pattern): arrows move and expand, Enter opens, F2 renames,
 * Delete deletes after confirmation. Directories load when expanded and refresh on changes.
 * `openBy` marks the files other people in the session have open.
 */
export function FileTree({ sessionId, userId, onOpen, onDeleted, onRenamed, readOnly, openBy }: {
  sessionId: string; userId: string; onOpen: (path: string) => void; onDeleted: (path: string) => void; onRenamed: (from: string, to: string, done: Promise<boolean>) => void; readOnly: boolean;
  openBy?: ReadonlyMap<string, string[]>;
}) {
  const client = useTRPCClient();
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(['']));
  // Expanded folders are kept in this browser; read after mount (the server render has no storage).
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    const storage = browserStorage();
    const kept = storage && loadState(storage, { userId, sessionId }, 'tree');
    if (kept) setExpanded(new Set(['', ...kept.expanded]));
    setRestored(true);
  }, [userId, sessionId]);
  const keptTree = useMemo(() => ({ expanded: [...expanded].filter(Boolean) }), [expanded]);
  const keepFor = useMemo(() => ({ userId, sessionId }), [userId, sessionId]);
  useKeptState(keepFor, 'tree', keptTree, restored);
  const [selected, setSelected] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const treeRef = useRef<HTMLUListElement>(null);
  const picker = useRef<HTMLInputElement>(null);

  const [showGitFolder] = useShowGitFolder();
  const rows = useVisibleRows(sessionId, expanded, showGitFolder);
  const selectedEntry = rows.find((r) => r.entry.path === selected)?.entry ?? null;

  const refresh = useRefreshFiles(sessionId);
  // The tree shows its own changes at once: the watcher's notice can come late, or not at all when
  // the change lands before the workspace host has started watching.
  const act = useCallback(async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
    let ok = true;
    try {
      await fn();
      setError(null);
    } catch (err) {
      ok = false;
      setError(`Could not ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    void refresh();
    return ok;
  }, [refresh]);

  // Uploaded files are shown: the folders they went into open.
  const drop = useFileDrop({ sessionId, disabled: readOnly, onError: setError, onDone: (paths) => {
    setExpanded((e) => new Set([...e, ...paths.map(parentOf)]));
    void refresh();
  } });

  const toggle = (path: string, open?: boolean) => setExpanded((s) => {
    const next = new Set(s);
    if (open ?? !next.has(path)) next.add(path); else next.delete(path);
    return next;
  });

  const activate = (e: Entry) => (e.type === 'dir' ? toggle(e.path) : onOpen(e.path));

  const onKeyDown = (ev: KeyboardEvent) => {
    if (pending) return;
    const i = rows.findIndex((r) => r.entry.path === selected);
    const row = rows[i];
    const move = (j: number) => { const r = rows[Math.max(0, Math.min(rows.length - 1, j))]; if (r) setSelected(r.entry.path); };
    switch (ev.key) {
      case 'ArrowDown': move(i + 1); break;
      case 'ArrowUp': move(i - 1); break;
      case 'Home': move(0); break;
      case 'End': move(rows.length - 1); break;
      case 'ArrowRight': if (row?.entry.type === 'dir') toggle(row.entry.path, true); break;
      case 'ArrowLeft':
        if (row?.entry.type === 'dir' && expanded.has(row.entry.path)) toggle(row.entry.path, false);
        else if (row && parentOf(row.entry.path)) setSelected(parentOf(row.entry.path));
        break;
      case 'Enter': if (row) activate(row.entry); break;
      case 'F2': if (row && !readOnly) setPending({ kind: 'rename', path: row.entry.path }); break;
      case 'Delete': if (row && !readOnly) setConfirmDelete(row.entry.path); break;
      default: return;
    }
    ev.preventDefault();
  };

  useEffect(() => {
    treeRef.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const targetDir = selectedEntry ? (selectedEntry.type === 'dir' ? selectedEntry.path : parentOf(selectedEntry.path)) : '';

  const submitName = async (name: string) => {
    const p = pending;
    setPending(null);
    if (!p || !name.trim()) return;
    if (p.kind === 'rename') {
      const to = join(parentOf(p.path), name.trim());
      if (to === p.path) return;
      const done = act(`rename ${p.path}`, () => client.files.rename.mutate({ sessionId, from: p.path, to }));
      onRenamed(p.path, to, done);
      if (!await done) return;
      setExpanded((s) => new Set([...s].map((dir) => renamedPath(dir, p.path, to))));
      setSelected(to);
    } else {
      const path = join(p.parent, name.trim().replace(/^\/+|\/+$/g, ''));
      if (!await act(`create ${path}`, () => client.files.create.mutate({ sessionId, path, kind: p.kind }))) return;
      setExpanded((s) => new Set([...s, ...ancestors(path)]));
      setSelected(path);
      if (p.kind === 'file') onOpen(path);
    }
  };

  return (
    <section className="panel file-panel" aria-label="Explorer">
      <div className="panel-head">
        <span className="eyebrow">Files</span>
        <div className="spacer" />
        <button type="button" className="icon" aria-label={selectedEntry ? `Download ${selectedEntry.path}` : 'Download the workspace'} title={selectedEntry?.type === 'dir' || !selectedEntry ? 'Download as zip' : 'Download'}
          onClick={() => void download(sessionId, selectedEntry?.path ?? '', selectedEntry?.type !== 'file').then(() => setError(null), (err: unknown) => setError(`Could not download ${selectedEntry?.path ?? 'the workspace'}: ${err instanceof Error ? err.message : String(err)}`))}>
          <Icon d="M8 2.5v8M4.5 7.5 8 11l3.5-3.5M3 13.5h10" /></button>
        {!readOnly && (
          <>
            <button type="button" className="icon" aria-label={`Upload files to /${targetDir}`} title="Upload files (or drop them on a folder)" onClick={() => picker.current?.click()}><Icon d="M8 11V3M4.5 6 8 2.5 11.5 6M3 13.5h10" /></button>
            <input ref={picker} type="file" multiple hidden tabIndex={-1} aria-hidden="true"
              onChange={(e) => { drop.upload(targetDir, Array.from(e.target.files ?? [])); e.target.value = ''; }} />
            <button type="button" className="icon" aria-label="New file" title="New file" onClick={() => setPending({ kind: 'file', parent: targetDir })}><Icon d="M4 2h6l3 3v9H4zM10 2v3h3M8.5 8v4M6.5 10h4" /></button>
            <button type="button" className="icon" aria-label="New folder" title="New folder" onClick={() => setPending({ kind: 'dir', parent: targetDir })}><Icon d="M2 4h4l1.5 1.5H14V13H2zM8 7.5v4M6 9.5h4" /></button>
            <button type="button" className="icon" aria-label="Rename" title="Rename (F2)" disabled={!selectedEntry} onClick={() => selectedEntry && setPending({ kind: 'rename', path: selectedEntry.path })}><Icon d="M3 13l1-3 7-7 2 2-7 7zM10 4l2 2" /></button>
            <button type="button" className="icon" aria-label="Delete" title="Delete" disabled={!selectedEntry} onClick={() => selectedEntry && setConfirmDelete(selectedEntry.path)}><Icon d="M3 4.5h10M6 4.5V3h4v1.5M4.5 4.5l.7 9h5.6l.7-9M7 7v4.5M9 7v4.5" /></button>
          </>
        )}
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {drop.progress && <p role="status" className="upload-status muted">{drop.progress}</p>}
      {confirmDelete && (
        <div role="alertdialog" aria-labelledby="delete-q" className="banner warn">
          <span id="delete-q">Delete {confirmDelete}{rows.find((r) => r.entry.path === confirmDelete)?.entry.type === 'dir' ? ' and everything in it' : ''}?</span>
          <button type="button" className="danger small" autoFocus onClick={async () => {
            const path = confirmDelete;
            setConfirmDelete(null);
            if (await act(`delete ${path}`, () => client.files.delete.mutate({ sessionId, path }))) {
              onDeleted(path);
              setExpanded((s) => new Set([...s].filter((dir) => !isAt(dir, path))));
            }
            setSelected(parentOf(path) || null);
            treeRef.current?.focus();
          }}>Delete</button>
          <button type="button" className="ghost small" onClick={() => { setConfirmDelete(null); treeRef.current?.focus(); }}>Cancel</button>
        </div>
      )}
      {pending && pending.kind !== 'rename' && (
        <NameInput label={pending.kind === 'file' ? `New file in /${pending.parent}` : `New folder in /${pending.parent}`} initial="" onDone={submitName} />
      )}
      <ul ref={treeRef} role="tree" aria-label="Files" tabIndex={0} className={`tree${drop.over ? ' drop-target' : ''}`} onKeyDown={onKeyDown} {...drop.handlers}
        aria-activedescendant={selected !== null ? `node-${encodeURIComponent(selected)}` : undefined}>
        {rows.map(({ entry, depth }) => (
          // Named by the file alone, so the people who have it open are its description, not its name.
          <li key={entry.path} id={`node-${encodeURIComponent(entry.path)}`} role="treeitem" aria-level={depth + 1}
            aria-label={entry.name} aria-describedby={openBy?.get(entry.path)?.length ? `marks-${encodeURIComponent(entry.path)}` : undefined}
            aria-selected={entry.path === selected} aria-expanded={entry.type === 'dir' ? expanded.has(entry.path) : undefined}
            data-path={entry.path} data-dir={entry.type === 'dir' ? '1' : undefined}
            style={{ paddingLeft: 8 + depth * 14 }}
            onClick={() => { setSelected(entry.path); activate(entry); }}>
            {pending?.kind === 'rename' && pending.path === entry.path
              ? <NameInput label={`Rename ${entry.path}`} initial={entry.name} onDone={submitName} />
              : <><span className="twisty" aria-hidden>{entry.type === 'dir' ? (expanded.has(entry.path) ? '▾' : '▸') : ''}</span>{entry.name}<PresenceMarks id={`marks-${encodeURIComponent(entry.path)}`} names={openBy?.get(entry.path)} /></>}
          </li>
        ))}
        {!rows.length && <li role="none" className="muted placeholder">Empty workspace</li>}
      </ul>
    </section>
  );
}

function Icon({ d }: { d: string }) {
  return <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.2" strokeLinejoin="round"><path d={d} /></svg>;
}

function NameInput({ label, initial, onDone }: { label: string; initial: string; onDone: (name: string) => void }) {
  const [value, setValue] = useState(initial);
  return (
    <input aria-label={label} autoFocus value={value} className="name-input"
      onClick={(e) => e.stopPropagation()}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={(e) => { e.stopPropagation(); if (e.key === 'Enter') onDone(value); if (e.key === 'Escape') onDone(''); }}
      onBlur={() => onDone(value === initial ? '' : value)} />
  );
}

/** Flattens the expanded directories into rows, loading each through the files API. */
function useVisibleRows(sessionId: string, expanded: Set<string>, showGitFolder: boolean) {
  const trpc = useTRPC();
  const dirs = useMemo(() => [...expanded], [expanded]);
  const results = useQueries({ queries: dirs.map((dir) => trpc.files.list.queryOptions({ sessionId, path: dir })) });
  const listings = new Map<string, Entry[]>();
  results.forEach((q, i) => { if (q.data) listings.set(dirs[i]!, q.data as Entry[]); });
  const rows: { entry: Entry; depth: number }[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of listings.get(dir) ?? []) {
      if (entry.name === '.git' && !showGitFolder) continue;
      rows.push({ entry, depth });
      if (entry.type === 'dir' && expanded.has(entry.path)) walk(entry.path, depth + 1);
    }
  };
  walk('', 0);
  return rows;
}

/** Lets the parent refresh listings when files change on disk. */
export function useRefreshFiles(sessionId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(() => queryClient.invalidateQueries({ queryKey: trpc.files.list.queryKey({ sessionId }) }), [queryClient, trpc, sessionId]);
}
