'use client';
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { SHARE_NAMESPACE, type SessionEvent } from '../../../server/realtime/protocol.ts';
import type { ShareClientToServer, ShareServerToClient } from '../../../server/realtime/share-protocol.ts';
import { foldDelta, replyRecorded, type LiveReply } from '../agent/live-reply.ts';

export type ShareSocket = Socket<ShareServerToClient, ShareClientToServer>;
export type ShareConnection = 'connecting' | 'live' | 'offline' | { ended: string };

/** Events arrive one message each; a long backlog is added to the page in batches this often. */
const FLUSH_MS = 50;

/**
 * A share link's read-only socket (namespace /share; the token, not a cookie, admits it): the
 * session's events, backlog then live, resumed from the last seq seen on a reconnect. When the
 * link is revoked or expires the server says so and disconnects; the page then shows why.
 * `live`: the agent's reply as it streams (the deltas members get), until its message is an event.
 */
export function useShareStream(token: string) {
  const [events, setEvents] = useState<SessionEvent[]>([]);
  const [connection, setConnection] = useState<ShareConnection>('connecting');
  const [socket, setSocket] = useState<ShareSocket | null>(null);
  const [streaming, setStreaming] = useState<LiveReply | null>(null);
  const lastSeq = useRef(0);

  useEffect(() => {
    const s: ShareSocket = io(SHARE_NAMESPACE, { path: '/socket.io', transports: ['websocket'], auth: { token } });
    let pending: SessionEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const batch = pending;
      pending = [];
      setEvents((prev) => prev.concat(batch));
    };
    const follow = () => s.emit('share:follow', { afterSeq: lastSeq.current }, (res) => setConnection(res.ok ? 'live' : { ended: res.error }));
    s.on('share:event', (e) => {
      if (e.seq <= lastSeq.current) return;
      lastSeq.current = e.seq;
      pending.push(e);
      timer ??= setTimeout(flush, FLUSH_MS);
    });
    s.on('share:agent:delta', (d) => setStreaming((cur) => foldDelta(cur, d)));
    s.on('connect', follow);
    s.on('share:ended', (e) => setConnection({ ended: e.reason }));
    s.on('disconnect', (reason) => setConnection((c) => (typeof c === 'object' ? c : reason === 'io server disconnect' ? { ended: 'The server closed this share link.' } : 'offline')));
    // Not active: the server refused the link (its words); otherwise the client retries by itself.
    s.on('connect_error', (err) => setConnection(s.active ? 'offline' : { ended: err.message }));
    setSocket(s);
    return () => { if (timer) clearTimeout(timer); s.close(); };
  }, [token]);

  const live = streaming && !replyRecorded(streaming, events) ? streaming : null;
  return { events, connection, socket, live };
}
