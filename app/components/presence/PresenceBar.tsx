'use client';
import { useEffect, useState } from 'react';
import type { PresenceEntry } from '../../../server/realtime/protocol.ts';
import { getSocket } from '../../lib/socket.ts';
import '../share/share.css';

/**
 * Who is in this session now and the file each has open (the header). This browser announces
 * itself and its open file; the server tells everyone following the session.
 */
export function PresenceBar({ sessionId, file }: { sessionId: string; file: string | null }) {
  const [people, setPeople] = useState<PresenceEntry[]>([]);

  useEffect(() => {
    const socket = getSocket();
    const onChanged = (e: { sessionId: string; people: PresenceEntry[] }) => { if (e.sessionId === sessionId) setPeople(e.people); };
    const announce = () => socket.emit('presence:set', { sessionId, file }, (r) => { if (r.ok) setPeople(r.people); });
    socket.on('presence:changed', onChanged);
    socket.on('connect', announce);
    if (socket.connected) announce();
    return () => { socket.off('presence:changed', onChanged); socket.off('connect', announce); };
  }, [sessionId, file]);

  useEffect(() => () => { getSocket().emit('presence:set', { sessionId }, () => {}); }, [sessionId]);

  if (people.length === 0) return null;
  return (
    <ul className="presence" aria-label="People here">
      {people.map((p) => (
        <li key={p.userId} title={p.file ? `${p.name} has ${p.file} open` : `${p.name} is here`}>
          <span className="presence-dot" aria-hidden="true" />{p.name}{p.file && <span className="muted"> · {p.file.split('/').at(-1)}</span>}
        </li>
      ))}
    </ul>
  );
}
