'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTRPC } from '../../lib/trpc.ts';

interface Dir { name: string; path: string; dirs: Map<string, Dir>; files: string[] }

function buildTree(paths: string[]): Dir {
  const root: Dir = { name: '', path: '', dirs: new Map(), files: [] };
  for (const p of paths) {
    const parts = p.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      const path = dir.path ? `${dir.path}/${part}` : part;
      if (!dir.dirs.has(part)) dir.dirs.set(part, { name: part, path, dirs: new Map(), files: [] });
      dir = dir.dirs.get(part)!;
    }
    dir.files.push(p);
  }
  return root;
}

function DirItems({ dir, selected, onOpen }: { dir: Dir; selected: string | null; onOpen: (p: string) => void }) {
  return (
    <>
      {[...dir.dirs.values()].sort((a, b) => a.name.localeCompare(b.name)).map((d) => (
        <li key={d.path} role="treeitem" aria-expanded="true" aria-label={d.name}>
          <span className="tree-dir">{d.name}/</span>
          <ul role="group"><DirItems dir={d} selected={selected} onOpen={onOpen} /></ul>
        </li>
      ))}
      {dir.files.sort().map((p) => (
        <li key={p} role="treeitem" aria-selected={p === selected} aria-label={p.split('/').at(-1)}>
          <button type="button" className="linklike" onClick={() => onOpen(p)}>{p.split('/').at(-1)}</button>
        </li>
      ))}
    </>
  );
}

/**
 * The workspace's files as of the scrubber's position (seq): the tree and the open file, read
 * through the viewer procedures. refresh changes when a live session's files may have changed.
 */
export function ViewerFiles({ token, seq, refresh }: { token: string; seq: number; refresh: number }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const tree = useQuery({ ...trpc.viewer.tree.queryOptions({ token, seq }), placeholderData: (prev) => prev, retry: false });
  const file = useQuery({ ...trpc.viewer.file.queryOptions({ token, seq, path: open ?? '' }), enabled: !!open, placeholderData: (prev) => prev, retry: false });
  // The live files changed (a tool ran, a command finished): read them again.
  useEffect(() => {
    if (refresh) void queryClient.invalidateQueries({ queryKey: trpc.viewer.tree.queryKey() }).then(() => queryClient.invalidateQueries({ queryKey: trpc.viewer.file.queryKey() }));
  }, [refresh, queryClient, trpc]);
  const root = useMemo(() => buildTree(tree.data?.paths ?? []), [tree.data]);
  const asOf = tree.data ? (tree.data.source === 'live' ? 'as it is now' : `as checkpoint #${tree.data.checkpointSeq} recorded them`) : '';

  return (
    <div className="share-files">
      <section className="panel" aria-label="Explorer">
        <div className="panel-head"><strong>Files</strong> <span className="muted small-text">{asOf}</span></div>
        {tree.error && <p role="alert" className="form-error page-pad">{tree.error.message}</p>}
        <ul role="tree" aria-label="Files" className="share-tree"><DirItems dir={root} selected={open} onOpen={setOpen} /></ul>
        {tree.data?.truncated && <p className="muted small-text page-pad">Only the first {tree.data.paths.length} files are listed.</p>}
      </section>
      <section className="panel share-file" aria-label={open ? `File ${open}` : 'File'}>
        <div className="panel-head"><strong>{open ?? 'No file open'}</strong></div>
        {file.error && <p role="alert" className="form-error page-pad">{file.error.message}</p>}
        {file.data && (file.data.content !== null
          ? <pre className="md-code share-file-content">{file.data.content}</pre>
          : <p className="muted page-pad">{file.data.note}</p>)}
        {!open && <p className="muted page-pad">Pick a file to read it as of this point of the timeline.</p>}
      </section>
    </div>
  );
}
