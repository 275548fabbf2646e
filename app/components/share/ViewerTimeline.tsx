'use client';
import { memo, useEffect, useRef, useState, type ReactNode } from 'react';
import type { CommentView, TimelineEntry } from './timeline.ts';

export interface CommentTarget { eventSeq: number; diffLine: number | null }

function CommentForm({ target, onSubmit, onCancel }: { target: CommentTarget; onSubmit: (text: string, author: string) => Promise<void>; onCancel: () => void }) {
  const [text, setText] = useState('');
  const [author, setAuthor] = useState(() => (typeof localStorage === 'undefined' ? '' : localStorage.getItem('tether-reviewer-name') ?? ''));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = target.diffLine ? `Comment on line ${target.diffLine} of event #${target.eventSeq}` : `Comment on event #${target.eventSeq}`;
  return (
    <form className="share-comment-form" aria-label={label} onSubmit={(e) => {
      e.preventDefault();
      setBusy(true);
      localStorage.setItem('tether-reviewer-name', author);
      onSubmit(text, author).then(() => { setText(''); onCancel(); }, (err: Error) => setError(err.message)).finally(() => setBusy(false));
    }}>
      <label>Your name <input value={author} onChange={(e) => setAuthor(e.target.value)} required maxLength={80} /></label>
      <label>Comment <textarea value={text} onChange={(e) => setText(e.target.value)} required maxLength={4000} rows={2} /></label>
      {error && <p role="alert" className="form-error">{error}</p>}
      <div className="row"><button type="submit" disabled={busy}>Post comment</button><button type="button" className="ghost" onClick={onCancel}>Cancel</button></div>
    </form>
  );
}

function Diff({ entry, comments, canComment, onLine }: { entry: TimelineEntry; comments: CommentView[]; canComment: boolean; onLine: (line: number) => void }) {
  const lines = entry.diff!.split('\n');
  return (
    <pre className="md-code diff share-diff" aria-label={`Diff of event #${entry.seq}`}>
      {lines.map((l, i) => {
        const cls = l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : undefined;
        const here = comments.filter((c) => c.diffLine === i + 1);
        return (
          <span key={i} className="share-diff-line">
            {canComment && <button type="button" className="ghost tiny" aria-label={`Comment on line ${i + 1}`} onClick={() => onLine(i + 1)}>+</button>}
            <span className={cls}>{l}</span>{'\n'}
            {here.map((c) => <span key={c.id} className="share-comment inline" role="note" aria-label={`Comment by ${c.author}`}>{c.author}: {c.text}{'\n'}</span>)}
          </span>
        );
      })}
    </pre>
  );
}

const Row = memo(function Row({ entry, future, current, comments, canComment, onSelect, onComment, form }: {
  entry: TimelineEntry; future: boolean; current: boolean; comments: CommentView[]; canComment: boolean;
  onSelect: (seq: number) => void; onComment: (t: CommentTarget) => void; form: ReactNode;
}) {
  return (
    <li className={`share-entry${future ? ' future' : ''}`} aria-current={current ? 'step' : undefined} aria-label={`#${entry.seq} ${entry.title}`}>
      <div className="share-entry-head">
        <button type="button" className="ghost small seq" title="Show the files as of this event" onClick={() => onSelect(entry.seq)}>#{entry.seq}</button>
        <strong>{entry.title}</strong>
        {entry.actor && <span className="muted actor">{entry.actor}</span>}
        <time className="muted" dateTime={entry.time}>{new Date(entry.time).toLocaleTimeString()}</time>
        {canComment && <button type="button" className="ghost small" onClick={() => onComment({ eventSeq: entry.seq, diffLine: null })}>Comment</button>}
      </div>
      {entry.text && <div className="share-entry-text">{entry.text}</div>}
      {entry.diff && <Diff entry={entry} comments={comments} canComment={canComment} onLine={(line) => onComment({ eventSeq: entry.seq, diffLine: line })} />}
      {comments.filter((c) => c.diffLine === null || !entry.diff).map((c) => (
        <p key={c.id} className="share-comment" role="note" aria-label={`Comment by ${c.author}`}>
          <strong>{c.author}</strong>{c.diffLine ? ` (line ${c.diffLine})` : ''}: {c.text}
        </p>
      ))}
      {form}
    </li>
  );
});

/** Rows rendered around the scrubber's position; the rest are a click away (a 10,000-event session stays quick). */
export const WINDOW_BEFORE = 150;
export const WINDOW_AFTER = 50;
const MORE = 300;

/** Index of the last entry at or before the position (entries are in seq order). */
function indexAt(entries: TimelineEntry[], position: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.seq <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The events around the scrubber's position, oldest first; those after it are dimmed. `live`: what is happening now, not yet an event. */
export function ViewerTimeline({ entries, position, comments, canComment, onSelect, onComment, commentTarget, commentForm, live }: {
  entries: TimelineEntry[]; position: number; comments: Map<number, CommentView[]>; canComment: boolean;
  onSelect: (seq: number) => void; onComment: (t: CommentTarget) => void;
  commentTarget: CommentTarget | null; commentForm: (t: CommentTarget) => ReactNode; live?: ReactNode;
}) {
  const [extra, setExtra] = useState({ before: 0, after: 0 });
  useEffect(() => { setExtra({ before: 0, after: 0 }); }, [position]);
  const at = indexAt(entries, position);
  const from = Math.max(0, at - WINDOW_BEFORE - extra.before);
  const to = Math.min(entries.length, at + 1 + WINDOW_AFTER + extra.after);
  const shown = entries.slice(from, to);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => { list.current?.querySelector('[aria-current="step"]')?.scrollIntoView({ block: 'nearest' }); }, [position]);
  return (
    <section className="panel share-timeline" aria-label="Timeline">
      <div className="panel-head"><strong>Timeline</strong> <span className="muted small-text">{entries.length} events{shown.length < entries.length ? `, ${shown.length} shown around the position` : ''}</span></div>
      <ol className="share-entries" ref={list}>
        {from > 0 && <li className="share-more"><button type="button" className="ghost small" onClick={() => setExtra((x) => ({ ...x, before: x.before + MORE }))}>Show {Math.min(MORE, from)} earlier events</button></li>}
        {shown.map((e) => (
          <Row key={e.seq} entry={e} future={e.seq > position} current={e.seq === entries[at]?.seq} comments={comments.get(e.seq) ?? NONE}
            canComment={canComment} onSelect={onSelect} onComment={onComment} form={commentTarget?.eventSeq === e.seq ? commentForm(commentTarget) : null} />
        ))}
        {to < entries.length && <li className="share-more"><button type="button" className="ghost small" onClick={() => setExtra((x) => ({ ...x, after: x.after + MORE }))}>Show {Math.min(MORE, entries.length - to)} later events</button></li>}
      </ol>
      {live}
    </section>
  );
}

const NONE: CommentView[] = [];
export { CommentForm };
