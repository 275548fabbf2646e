// Socket.IO transport: authorizes every connection and every event, forwards domain events.
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { Principal } from '../auth/roles.ts';
import { sessionIdSchema } from '../sessions/schemas.ts';
import type { Services } from '../services.ts';
import { originAllowed, principalFromHandshake, REAUTHORIZE_MS } from './authorize.ts';
import type { Ack, ClientToServer, ServerToClient } from './protocol.ts';

interface SocketData { principal: Principal; checkedAt: number; follows: Map<string, () => void> }
type TetherSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

const followInput = z.object({ sessionId: sessionIdSchema, afterSeq: z.number().int().min(0) });

/** A client may omit the callback; never let that throw inside a handler. */
const safeAck = (ack: unknown): Ack => (typeof ack === 'function' ? (ack as Ack) : () => {});

export function attachSocketServer(http: HttpServer, services: Services) {
  const allowed = services.config.TETHER_ALLOWED_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean) ?? null;
  const io = new Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>(http, {
    path: '/socket.io',
    serveClient: false,
    // Refuse cross-site pages before any handshake work (cookies alone would let them in).
    allowRequest: (req, cb) => cb(originAllowed(req, allowed) ? null : 'origin not allowed', originAllowed(req, allowed)),
  });

  io.use(async (socket, next) => {
    try {
      const principal = await principalFromHandshake(services.db, socket.request);
      if (!principal) return next(new Error('unauthorized'));
      socket.data = { principal, checkedAt: Date.now(), follows: new Map() };
      next();
    } catch (err) {
      services.log.error({ err }, 'socket authorization failed');
      next(new Error('unauthorized'));
    }
  });

  /** Every handler goes through this: valid input, a still-valid login, access to the session. */
  async function authorize<T>(socket: TetherSocket, schema: z.ZodType<T>, raw: unknown, ack?: Ack): Promise<T | null> {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      ack?.({ ok: false, error: parsed.error.issues.map((i) => i.message).join('; ') });
      return null;
    }
    if (Date.now() - socket.data.checkedAt > REAUTHORIZE_MS) {
      const principal = await principalFromHandshake(services.db, socket.request);
      if (!principal) {
        ack?.({ ok: false, error: 'Your sign-in has ended.' });
        socket.disconnect(true);
        return null;
      }
      socket.data.principal = principal;
      socket.data.checkedAt = Date.now();
    }
    const sessionId = (parsed.data as { sessionId?: string }).sessionId;
    if (sessionId) {
      try {
        await services.sessions.get(socket.data.principal, sessionId);
      } catch {
        ack?.({ ok: false, error: 'You do not have access to this session.' });
        return null;
      }
    }
    return parsed.data;
  }

  io.on('connection', (socket) => {
    socket.on('session:follow', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = await authorize(socket, followInput, raw, ack);
      if (!req) return;
      socket.data.follows.get(req.sessionId)?.();
      try {
        const stop = await services.events.follow(req.sessionId, req.afterSeq, (e) => socket.emit('session:event', e));
        socket.data.follows.set(req.sessionId, stop);
        ack({ ok: true });
      } catch (err) {
        services.log.error({ err, sessionId: req.sessionId }, 'follow failed');
        ack({ ok: false, error: 'Could not load the session events.' });
      }
    });

    socket.on('session:unfollow', async (raw) => {
      const req = await authorize(socket, z.object({ sessionId: sessionIdSchema }), raw);
      if (!req) return;
      socket.data.follows.get(req.sessionId)?.();
      socket.data.follows.delete(req.sessionId);
    });

    socket.on('disconnect', () => {
      for (const stop of socket.data.follows?.values() ?? []) stop();
    });
  });

  return io;
}
