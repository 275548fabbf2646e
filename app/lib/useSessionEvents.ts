'use client';
import { useEffect, useRef, useState } from 'react';
import type { SessionEvent } from '../../server/realtime/protocol.ts';
import { getSocket } from './socket.ts';

const SIGNED_OUT = 'Your sign-in has ended. Reload to sign in again.';

/** `reconnecting`: the server went away (a restart, a network blip); the client keeps trying. */
export type Connection = 'connecting' | 'live' | 'reconnecting' | { error: string };

/**
 * The session's event stream: backlog, then live. On reconnect it follows again from the
 * last seq it saw, so nothing is missed or shown twice.
 */
export function useSessionEvents(sessionId: string) {
  const [events, setEvents] = useState<SessionEvent[]>([]);
  const [connection, setConnection] = useState<Connection>('connecting');
  const lastSeq = useRef(0);

  useEffect(() => {
    const socket = getSocket();
    const follow = () => {
      socket.emit('session:follow', { sessionId, afterSeq: lastSeq.current }, (res) => {
        setConnection(res.ok ? 'live' : { error: res.error });
      });
    };
    const onEvent = (e: SessionEvent) => {
      if (e.sessionId !== sessionId || e.seq <= lastSeq.current) return;
      lastSeq.current = e.seq;
      setEvents((prev) => [...prev, e]);
    };
    // The server only disconnects a socket itself when its sign-in ended; the client won't reconnect.
    const onDisconnect = (reason: string) => setConnection(reason === 'io server disconnect' ? { error: SIGNED_OUT } : 'reconnecting');
    // While the client still retries (`active`), a failed attempt is part of reconnecting; a
    // refusal by the server's middleware ends the retries.
    const onConnectError = (err: Error) => {
      if (err.message === 'unauthorized') setConnection({ error: SIGNED_OUT });
      else if (socket.active) setConnection((c) => (c === 'connecting' ? c : 'reconnecting'));
      else setConnection({ error: `Cannot reach the server (${err.message}).` });
    };
    socket.on('session:event', onEvent);
    socket.on('connect', follow);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    if (socket.connected) follow();
    return () => {
      socket.emit('session:unfollow', { sessionId });
      socket.off('session:event', onEvent);
      socket.off('connect', follow);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
    };
  }, [sessionId]);

  return { events, connection };
}
