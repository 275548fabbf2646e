// Presence: who is in a session now and which file each has open, for the session's header and
// the file tree's marks. A browser says where it is (presence:set) after following the session;
// everyone following it gets the new list. Anyone who may see the session (viewers too) is
// present; someone removed from it drops out at once. Per server process, like the sockets it
// describes; nothing is stored.
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

export function attachPresence(io: Server, services: Services) {
  /** sessionId → socket id → who, and the file open there. */
  const sessions = new Map<string, Map<string, PresenceEntry>>();

  const list = (sessionId: string) => {
    const people = new Map<string, PresenceEntry>();
    // One entry per person: the latest socket that named a file wins over one that did not.
    for (const p of sessions.get(sessionId)?.values() ?? []) if (!people.has(p.userId) || p.file) people.set(p.userId, p);
    return [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
  };
  const publish = (sessionId: string) => io.to(room(sessionId)).emit('presence:changed', { sessionId, people: list(sessionId) });
  const leave = (sessionId: string, socketId: string) => {
    const bySocket = sessions.get(sessionId);
    if (!bySocket?.delete(socketId)) return;
    if (bySocket.size === 0) sessions.delete(sessionId);
    publish(sessionId);
  };

  // A member removed from a session (or a sign-in that ended) must not linger in its list.
  services.accessChanges.onChange((userId) => {
    for (const [sessionId, bySocket] of sessions) {
      for (const [socketId, entry] of bySocket) {
        if (entry.userId !== userId) continue;
        const principal = (io.sockets.sockets.get(socketId)?.data as { principal?: Principal } | undefined)?.principal;
        const stillIn = principal ? services.sessions.get(principal, sessionId, 'read').then(() => true, () => false) : Promise.resolve(false);
        void stillIn.then((yes) => { if (!yes) leave(sessionId, socketId); });
      }
    }
  });

  io.on('connection', (socket) => {
    socket.on('presence:set', async (raw: unknown, rawAck: unknown) => {
      const ack = safeAck(rawAck);
      const req = setSchema.safeParse(raw);
      if (!req.success) return ack({ ok: false, error: req.error.issues.map((i) => i.message).join('; ') });
      const { sessionId, file } = req.data;
      const principal = (socket.data as { principal?: Principal }).principal;
      if (!principal) return ack({ ok: false, error: 'Sign in to continue.' });
      if (file === undefined) { leave(sessionId, socket.id); return ack({ ok: true, people: [] }); }
      try {
        await services.sessions.get(principal, sessionId, 'read');
      } catch {
        return ack({ ok: false, error: 'You do not have access to this session.' });
      }
      if (!sessions.has(sessionId)) sessions.set(sessionId, new Map());
      sessions.get(sessionId)!.set(socket.id, { userId: principal.user.id, name: principal.user.name, file });
      publish(sessionId);
      // The list in the answer too: this browser may not be in the session's room yet.
      ack({ ok: true, people: list(sessionId) });
    });
    socket.on('disconnect', () => {
      for (const sessionId of [...sessions.keys()]) leave(sessionId, socket.id);
    });
  });
}
