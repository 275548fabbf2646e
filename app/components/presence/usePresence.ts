'use client';
import { useEffect, useMemo, useState } from 'react';
import type { PresenceEntry } from '../../../server/realtime/protocol.ts';
import { getSocket } from '../../lib/socket.ts';

/**
 * Who is in this session now and the file each has open. This browser announces itself and its
 * open file; the server tells everyone following the session (server/realtime/presence.ts).
 */
export function usePresence(sessionId: string, file: string | null): PresenceEntry[] {
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

  return people;
}

/** Path → the names of the other people who have it open, for the file tree's marks. */
export function useOpenByOthers(people: PresenceEntry[], userId: string): ReadonlyMap<string, string[]> {
  return useMemo(() => {
    const byPath = new Map<string, string[]>();
    for (const p of people) {
      if (p.userId === userId || !p.file) continue;
      byPath.set(p.file, [...(byPath.get(p.file) ?? []), p.name]);
    }
    return byPath;
  }, [people, userId]);
}
