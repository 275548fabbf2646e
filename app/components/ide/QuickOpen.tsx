'use client';
// Quick open (Ctrl+P): the workspace's files, fuzzy-matched as you type; `name:42` opens at line 42.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { fuzzyFilter } from '../../lib/fuzzy.ts';
import { useTRPC } from '../../lib/trpc.ts';

const SHOWN = 50;
/** The file list is re-read at most this often while quick open is used again and again. */
const FILES_FRESH_MS = 10_000;

function highlighted(path: string, positions: number[]): ReactNode[] {
  const marks = new Set(positions);
  return [...path].map((c, i) => (marks.has(i) ? <mark key={i}>{c}</mark> : c));
}

export function QuickOpen({ sessionId, onOpen, onClose }: { sessionId: string; onOpen(path: string, line?: number): void; onClose(): void }) {
  const trpc = useTRPC();
  const files = useQuery(trpc.search.files.queryOptions({ sessionId }, { staleTime: FILES_FRESH_MS }));
  const [text, setText] = useState('');
  const [selected, setSelected] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const [, query, lineText] = /^(.*?)(?::(\d+))?$/.exec(text) ?? ['', text, undefined];
  const line = lineText ? Number(lineText) : undefined;
  const matches = useMemo(() => fuzzyFilter(query ?? '', files.data?.files ?? [], SHOWN), [query, files.data]);

  // Enter pressed before the list arrived: open the best match once it does.
  const [chooseWhenListed, setChooseWhenListed] = useState(false);
  useEffect(() => { input.current?.focus(); }, []);
  useEffect(() => { setSelected(0); }, [query]);

  const choose = (i: number) => {
    const m = matches[i];
    if (!m) return;
    onClose();
    onOpen(m.path, line);
  };
  useEffect(() => {
    if (chooseWhenListed && files.data) { setChooseWhenListed(false); choose(0); }
    // `choose` reads this render's matches, which follow files.data.
  }, [chooseWhenListed, files.data]);

  return (
    <div className="overlay-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div className="quick-open" role="dialog" aria-modal="true" aria-label="Go to file">
        <input
          ref={input}
          role="combobox"
          aria-label="File name"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={matches[selected] ? `${listId}-${selected}` : undefined}
          aria-autocomplete="list"
          placeholder="Type a file name (name:line goes to a line)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') { e.preventDefault(); setSelected((s) => Math.min(s + 1, matches.length - 1)); }
            else if (e.key === 'ArrowUp') { e.preventDefault(); setSelected((s) => Math.max(s - 1, 0)); }
            else if (e.key === 'Enter') { e.preventDefault(); if (files.data) choose(selected); else setChooseWhenListed(true); }
            else if (e.key === 'Escape') { e.preventDefault(); onClose(); }
          }}
        />
        {files.error && <p role="alert" className="banner error">Could not list the files: {files.error.message}</p>}
        {files.isPending && <p className="muted small-text quick-open-note">Listing files…</p>}
        {files.data && !matches.length && <p className="muted small-text quick-open-note">No file matches “{query}”.</p>}
        <ul id={listId} role="listbox" aria-label="Matching files" className="quick-open-list">
          {matches.map((m, i) => (
            <li key={m.path} id={`${listId}-${i}`} role="option" aria-selected={i === selected}
              onMouseDown={(e) => e.preventDefault()} onClick={() => choose(i)} onMouseMove={() => setSelected(i)}>
              <span className="qo-name">{highlighted(m.path.split('/').pop()!, m.positions.map((p) => p - (m.path.lastIndexOf('/') + 1)))}</span>
              <span className="qo-dir muted">{m.path.includes('/') ? m.path.slice(0, m.path.lastIndexOf('/')) : ''}</span>
            </li>
          ))}
        </ul>
        {files.data?.more && <p className="muted small-text quick-open-note">Only the first {files.data.files.length.toLocaleString()} files are searched.</p>}
      </div>
    </div>
  );
}
