import { useEffect, useRef } from 'react';
import type { SessionEvent } from '../../server/realtime/protocol.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The words a person scans for: the command that ran (a person's or the agent's), else the message. */
function summary(e: SessionEvent): string {
  const p = e.payload as Record<string, unknown>;
  const input = (p.input && typeof p.input === 'object' ? p.input : {}) as Record<string, unknown>;
  if (e.type === 'terminal.command') {
    const exit = typeof p.exitCode === 'number' && p.exitCode !== 0 ? ` (exit ${p.exitCode})` : '';
    return `${str(p.cwd) ?? ''}$ ${str(p.command) ?? ''}${exit}`;
  }
  const command = str(input.command) ?? str(p.command);
  if (command) return `${str(p.tool) ?? 'command'}: ${command}`;
  const text = p.title ?? p.text ?? p.message ?? p.reason ?? p.path ?? input.path ?? p.error;
  return typeof text === 'string' ? text : '';
}

/** focusSeq: an event another panel points at (a memory item's source); it is scrolled to and marked. */
export function EventTimeline({ events, focusSeq }: { events: SessionEvent[]; focusSeq?: number | null }) {
  const focused = useRef<HTMLLIElement>(null);
  useEffect(() => { focused.current?.scrollIntoView({ block: 'center' }); focused.current?.focus(); }, [focusSeq]);
  return (
    <ol className="timeline" aria-label="Session events">
      {events.map((e) => (
        <li key={e.seq} id={`event-${e.seq}`} ref={e.seq === focusSeq ? focused : undefined} aria-current={e.seq === focusSeq ? 'true' : undefined} tabIndex={e.seq === focusSeq ? -1 : undefined}>
          <span className="seq">#{e.seq}</span>
          <span className="type">{e.type}</span>
          <span className="text">{summary(e)}</span>
          {e.actorKind === 'user' && e.actorId && <span className="muted actor">by user {e.actorId}</span>}
          <time className="muted" dateTime={e.createdAt}>{new Date(e.createdAt).toLocaleTimeString()}</time>
        </li>
      ))}
    </ol>
  );
}
