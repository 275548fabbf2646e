'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { useSessionEvents, type Connection } from '../lib/useSessionEvents.ts';
import { EventTimeline } from './EventTimeline.tsx';

function ConnectionBadge({ connection }: { connection: Connection }) {
  if (typeof connection === 'object') return <span role="alert" className="badge failed">{connection.error}</span>;
  return <span className={`badge ${connection === 'live' ? 'active' : 'stopped'}`} aria-live="polite">{connection}</span>;
}

export function SessionView({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useQuery(trpc.sessions.get.queryOptions({ id: sessionId }));
  const stop = useMutation(trpc.sessions.stop.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.sessions.get.queryKey({ id: sessionId }) }) }));
  const { events, connection } = useSessionEvents(sessionId);

  if (session.error) return <p role="alert" className="form-error">{session.error.message}</p>;
  if (!session.data) return <p className="muted">Loading…</p>;
  return (
    <section className="stack" aria-labelledby="session-title">
      <div className="row">
        <h1 id="session-title">{session.data.title}</h1>
        <span className={`badge ${session.data.status}`}>{session.data.status}</span>
        <ConnectionBadge connection={connection} />
        <div className="spacer" />
        {session.data.status !== 'stopped' && (
          <button type="button" className="ghost danger" onClick={() => stop.mutate({ id: sessionId })} disabled={stop.isPending}>Stop session</button>
        )}
      </div>
      {stop.error && <p role="alert" className="form-error">{stop.error.message}</p>}
      <EventTimeline events={events} />
    </section>
  );
}
