import type { SessionEvent } from '../../server/realtime/protocol.ts';

function summary(e: SessionEvent): string {
  const p = e.payload as Record<string, unknown>;
  const text = p.title ?? p.text ?? p.message ?? p.reason ?? p.path ?? p.error;
  return typeof text === 'string' ? text : '';
}

export function EventTimeline({ events }: { events: SessionEvent[] }) {
  return (
    <ol className="timeline" aria-label="Session events">
      {events.map((e) => (
        <li key={e.seq}>
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
