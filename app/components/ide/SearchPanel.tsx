'use client';
// Search across files (Ctrl+Shift+F): results grouped by file, match case and regular expression
// options, a files-to-include glob, and replace in files — a preview of every changed line first,
// then an apply that writes only what was previewed (a file changed since is left alone).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTRPC, type RouterOutputs } from '../../lib/trpc.ts';

type Match = RouterOutputs['search']['text']['matches'][number];
type Preview = RouterOutputs['search']['previewReplace'];

/** Searching waits this long after the last keystroke. */
const DEBOUNCE_MS = 250;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => { const t = setTimeout(() => setV(value), ms); return () => clearTimeout(t); }, [value, ms]);
  return v;
}

function withMarks(text: string, ranges: [number, number][]): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  for (const [a, b] of ranges) {
    if (a < at) continue;
    out.push(text.slice(at, a), <mark key={a}>{text.slice(a, b)}</mark>);
    at = b;
  }
  out.push(text.slice(at));
  return out;
}

const count = (n: number, what: string, more = false) => `${n}${more ? '+' : ''} ${what}${n === 1 && !more ? '' : 's'}`;

function groupByFile(matches: Match[]): [string, Match[]][] {
  const groups = new Map<string, Match[]>();
  for (const m of matches) groups.set(m.path, [...(groups.get(m.path) ?? []), m]);
  return [...groups];
}

export function SearchPanel({ sessionId, readOnly, onOpen, onClose }: { sessionId: string; readOnly: boolean; onOpen(path: string, line: number, column: number): void; onClose(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pattern, setPattern] = useState('');
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [regex, setRegex] = useState(false);
  const [glob, setGlob] = useState('');
  const [replacement, setReplacement] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [done, setDone] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { input.current?.focus(); }, []);

  const q = { sessionId, pattern: useDebounced(pattern, DEBOUNCE_MS), caseSensitive, regex, glob: useDebounced(glob, DEBOUNCE_MS) || undefined };
  const results = useQuery({ ...trpc.search.text.queryOptions(q), enabled: q.pattern.length > 0 });
  // A preview belongs to the search it was made for.
  useEffect(() => { setPreview(null); setExcluded(new Set()); }, [q.pattern, caseSensitive, regex, q.glob, replacement]);

  const previewing = useMutation({
    mutationFn: () => queryClient.fetchQuery({ ...trpc.search.previewReplace.queryOptions({ ...q, pattern, replacement }), staleTime: 0 }),
    onSuccess: (p) => { setPreview(p); setDone(null); },
  });
  const applying = useMutation(trpc.search.replace.mutationOptions({
    onSuccess: ({ outcomes }) => {
      const replaced = outcomes.filter((o) => o.replacements > 0);
      const failed = outcomes.filter((o) => o.error);
      const total = replaced.reduce((n, o) => n + o.replacements, 0);
      setDone([
        `Replaced ${count(total, 'occurrence')} in ${count(replaced.length, 'file')}.`,
        ...failed.map((o) => `${o.path}: ${o.error}`),
      ].join(' '));
      setPreview(null);
      void queryClient.invalidateQueries({ queryKey: trpc.search.text.queryKey() });
    },
  }));
  const error = results.error ?? previewing.error ?? applying.error;
  const groups = groupByFile(results.data?.matches ?? []);
  const chosen = preview?.files.filter((f) => !excluded.has(f.path)) ?? [];

  return (
    <section className="panel search-panel" role="region" aria-label="Search" onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
      <div className="panel-head">
        <strong className="small-text">Search</strong>
        <div className="spacer" />
        <button type="button" className="icon" aria-label="Close search" onClick={onClose}>×</button>
      </div>
      <div className="search-form">
        <div className="row">
          <input ref={input} aria-label="Search text" placeholder="Search" value={pattern} onChange={(e) => setPattern(e.target.value)} />
          <button type="button" className="ghost small" aria-pressed={caseSensitive} aria-label="Match case" title="Match case" onClick={() => setCaseSensitive((v) => !v)}>Aa</button>
          <button type="button" className="ghost small" aria-pressed={regex} aria-label="Use regular expression" title="Use regular expression" onClick={() => setRegex((v) => !v)}>.*</button>
        </div>
        <input aria-label="Files to include" placeholder="Files to include, e.g. *.ts or src/**" value={glob} onChange={(e) => setGlob(e.target.value)} />
        {!readOnly && (
          <div className="row">
            <input aria-label="Replace with" placeholder={regex ? 'Replace ($1 for a group)' : 'Replace'} value={replacement} onChange={(e) => setReplacement(e.target.value)} />
            <button type="button" className="ghost small" disabled={!pattern || previewing.isPending} onClick={() => previewing.mutate()}>Preview replace</button>
          </div>
        )}
      </div>
      {error && <p role="alert" className="banner error">{error.message}</p>}
      {done && <p role="status" className="banner">{done}</p>}
      <div className="search-results">
        {preview ? (
          <div role="region" aria-label="Replace preview">
            <p className="small-text search-summary">
              {preview.files.length
                ? `${count(preview.files.reduce((n, f) => n + f.replacements, 0), 'replacement')} in ${count(preview.files.length, 'file')}${preview.more ? ' (more files match; narrow the search to reach them)' : ''}.`
                : 'Nothing to replace.'}
            </p>
            {preview.files.map((f) => (
              <div key={f.path} className="search-file">
                <label className="search-file-head">
                  <input type="checkbox" checked={!excluded.has(f.path)} onChange={(e) => setExcluded((s) => {
                    const next = new Set(s);
                    if (e.target.checked) next.delete(f.path); else next.add(f.path);
                    return next;
                  })} /> {f.path} <span className="badge">{f.replacements}</span>
                </label>
                <ul className="preview-lines">
                  {f.lines.map((l) => (
                    <li key={l.line}>
                      <span className="muted">{l.line}</span>
                      <del aria-label={`line ${l.line} before`}>{l.before}</del>
                      <ins aria-label={`line ${l.line} after`}>{l.after}</ins>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
            <div className="row search-actions">
              <button type="button" className="primary small" disabled={!chosen.length || applying.isPending}
                onClick={() => applying.mutate({ ...q, pattern, replacement, files: chosen.map((f) => ({ path: f.path, version: f.version })) })}>
                Replace in {count(chosen.length, 'file')}
              </button>
              <button type="button" className="ghost small" onClick={() => setPreview(null)}>Cancel</button>
            </div>
          </div>
        ) : (
          <>
            {results.isFetching && <p className="muted small-text search-summary">Searching…</p>}
            {results.data && (
              <p className="small-text search-summary" role="status">
                {results.data.matches.length
                  ? `${count(results.data.matches.length, 'result', results.data.more)} in ${count(groups.length, 'file')}`
                  : 'No results.'}
              </p>
            )}
            <ul className="search-groups" aria-label="Results">
              {groups.map(([path, ms]) => (
                <li key={path} className="search-file">
                  <div className="search-file-head" title={path}>{path} <span className="badge">{ms.length}</span></div>
                  <ul>
                    {ms.map((m) => (
                      <li key={m.line}>
                        <button type="button" className="search-hit" onClick={() => onOpen(m.path, m.line, (m.ranges[0]?.[0] ?? 0) + 1)}>
                          <span className="muted">{m.line}</span> <span className="hit-text">{withMarks(m.text, m.ranges)}</span>
                        </button>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}
