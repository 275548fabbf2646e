// Presence: who is in a session now and which file each has open, for the session's header and
// the file tree's marks. A browser says where it is (presence:set) after following the session;
// everyone following it gets the new list. Anyone who may see the session (viewers too) is
// present; someone removed from it drops out at once. Nothing is stored: each socket carries its
// own entry, and the list is gathered from the sockets of every instance (Socket.IO's
// fetchSockets, across instances through the Redis adapter).
import type { Server } from 'socket.io';
import { z } from 'zod';
import type { Principal } from '../auth/roles.ts';
import { sessionIdSchema } from '../sessions/schemas.ts';
import type { Services } from '../services.ts';
import type { Ack, PresenceEntry } from './protocol.ts';
import { room } from './socket.ts';

const setSchema = z.object({ sessionId: sessionIdSchema, file: z.string().max(4096).nullable().optional() });
type PresenceAck = Ack<{ people: PresenceEntry[] }>;
const safeAck = (ack: unknown): PresenceAck => (typeof ack === 'function' ? (ack as PresenceAck) : () => {});

/** What a socket says of itself, kept on the socket so any instance can read it (fetchSockets). */
interface PresenceData { principal?: Principal; presence?: Record<string, PresenceEntry> }
const presenceRoom = (sessionId: string) => `presence:${sessionId}`;

export function attachPresence(io: Server, services: Services) {
  /** Everyone present in a session, on every instance: the Redis adapter asks the others for their sockets. */
  const list = async (sessionId: string) => {
    const people = new Map<string, PresenceEntry>();
    for (const s of await io.in(presenceRoom(sessionId)).fetchSockets()) {
      const p = (s.data as PresenceData).presence?.[sessionId];
      // One entry per person: a socket that names a file wins over one that does not.
      if (p && (!people.has(p.userId) || p.file)) people.set(p.userId, p);
    }
    return [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
  };
  const publish = async (sessionId: string) => {
    try {
      io.to(room(sessionId)).emit('presence:changed', { sessionId, people: await list(sessionId) });
    } catch (err) {
      services.log.error({ err, sessionId }, 'could not gather presence');
    }
  };
  const leave = (socket: { data: unknown; leave(room: string): unknown }, sessionId: string) => {
    const data = socket.data as PresenceData;
    if (!data.presence?.[sessionId]) return;
    delete data.presence[sessionId];
    void socket.leave(presenceRoom(sessionId));
    void publish(sessionId);
  };

  // A member removed from a session (or a sign-in that ended) must not linger in its list.
  services.accessChanges.onChange((userId) => {
    for (const socket of io.sockets.sockets.values()) {
      const data = socket.data as PresenceData;
      if (data.principal?.user.id !== userId) continue;
      for (const sessionId of Object.keys(data.presence ?? {})) {
        void services.sessions.get(data.principal, sessionId, 'read').then(() => {}, () => leave(socket, sessionId));
      }
    }
  });

  io.on('connection', (socket) => {
    socket.on('presence:set', async (raw: unknown, rawAck: unknown) => {
      const ack = safeAck(rawAck);
      const req = setSchema.safeParse(raw);
      if (!req.success) return ack({ ok: false, error: req.error.issues.map((i) => i.message).join('; ') });
      const { sessionId, file } = req.data;
      const data = socket.data as PresenceData;
      const principal = data.principal;
      if (!principal) return ack({ ok: false, error: 'Sign in to continue.' });
      if (file === undefined) { leave(socket, sessionId); return ack({ ok: true, people: [] }); }
      try {
        await services.sessions.get(principal, sessionId, 'read');
      } catch {
        return ack({ ok: false, error: 'You do not have access to this session.' });
      }
      data.presence = { ...data.presence, [sessionId]: { userId: principal.user.id, name: principal.user.name, file } };
      await socket.join(presenceRoom(sessionId));
      const people = await list(sessionId);
      io.to(room(sessionId)).emit('presence:changed', { sessionId, people });
      // The list in the answer too: this browser may not be in the session's room yet.
      ack({ ok: true, people });
    });
    // The socket has left its rooms by now, so the lists gathered after it no longer name it.
    socket.on('disconnect', () => {
      for (const sessionId of Object.keys((socket.data as PresenceData).presence ?? {})) void publish(sessionId);
    });
  });
}
