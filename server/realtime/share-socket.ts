// The share viewer's socket namespace (/share): a link token, not a sign-in cookie, admits a
// socket to exactly one session, read-only. Kept apart from the member namespace (socket.ts) so
// no member handler is ever reachable with a token: this namespace registers only reads.
// Revoking a link disconnects its sockets at once; an expired one within EXPIRY_CHECK_MS.
import type { Namespace, Server, Socket } from 'socket.io';
import { z } from 'zod';
import { readCookie, resolvePrincipal, SESSION_COOKIE } from '../auth/auth-sessions.ts';
import type { LinkUser, ResolvedLink } from '../share/links.ts';
import { shareTokenSchema } from '../share/links.ts';
import type { Services } from '../services.ts';
import type { Attachment } from '../workspace/terminals.ts';
import { REAUTHORIZE_MS } from './authorize.ts';
import { SHARE_NAMESPACE, type Ack } from './protocol.ts';
import { type ShareClientToServer, type ShareServerToClient } from './share-protocol.ts';

interface ShareSocketData { link: ResolvedLink; who: LinkUser; stopFollow: (() => void) | null; watching: Map<string, Attachment> }
type ShareSocket = Socket<ShareClientToServer, ShareServerToClient, Record<string, never>, ShareSocketData>;

/** Expiry is checked in memory this often, so an expired link's viewers go within a second. */
const EXPIRY_CHECK_MS = 500;

const schemas = {
  follow: z.object({ afterSeq: z.number().int().min(0) }),
  watch: z.object({ terminalId: z.uuid('invalid terminal id'), fromOffset: z.number().int().min(0).nullable() }),
  unwatch: z.object({ terminalId: z.uuid('invalid terminal id') }),
  ack: z.object({ terminalId: z.uuid('invalid terminal id'), chars: z.number().int().min(0).max(10_000_000) }),
};
/** Viewers following a session (share:follow) are in this room: the agent's live text reaches them there. */
const shareRoom = (sessionId: string) => `share:${sessionId}`;
const safeAck = (ack: unknown): Ack<Record<string, unknown>> => (typeof ack === 'function' ? (ack as Ack<Record<string, unknown>>) : () => {});

export function attachShareNamespace(io: Server, services: Services) {
  const { log, terminals, share } = services;
  const nsp = io.of(SHARE_NAMESPACE) as unknown as Namespace<ShareClientToServer, ShareServerToClient, Record<string, never>, ShareSocketData>;
  // The same deltas the members' agent panel gets, sent out only: nothing comes back this way.
  // Through the cluster's socket adapter when there is one, so a run on any instance reaches them.
  services.onAgentDelta((d) => nsp.to(shareRoom(d.sessionId)).emit('share:agent:delta', { runId: d.runId, step: d.step, text: d.text }));

  nsp.use(async (socket, next) => {
    try {
      const token = shareTokenSchema.safeParse((socket.handshake.auth as { token?: unknown }).token);
      if (!token.success) return next(new Error('This is not a valid share link.'));
      const principal = await resolvePrincipal(services.db, readCookie(socket.request.headers.cookie, SESSION_COOKIE));
      const who: LinkUser = { address: socket.handshake.address, userId: principal?.user.id ?? null };
      const resolved = await share.links.resolve(token.data, principal, 'live', who);
      if (!resolved.ok) return next(new Error(resolved.message));
      await share.links.recordUse(resolved.link, 'live', who);
      socket.data = { link: resolved.link, who, stopFollow: null, watching: new Map() };
      next();
    } catch (err) {
      log.error({ err }, 'share socket authorization failed');
      next(new Error('Could not open the share link.'));
    }
  });

  const end = (socket: ShareSocket, reason: string) => {
    log.info({ linkId: socket.data.link.id, socketId: socket.id }, 'share viewer disconnected: %s', reason);
    socket.emit('share:ended', { reason });
    socket.disconnect(true);
  };
  const sockets = () => [...nsp.sockets.values()].filter((s) => s.data?.link);

  share.links.onRevoked((linkId) => {
    for (const s of sockets()) if (s.data.link.id === linkId) end(s, 'This share link has been revoked.');
  });
  const expiry = setInterval(() => {
    for (const s of sockets()) if (s.data.link.expiresAt.getTime() <= Date.now()) end(s, 'This share link has expired.');
  }, EXPIRY_CHECK_MS);
  // Revocations arrive as a cluster signal (onRevoked); this re-check through the database is the
  // backstop for a signal lost on the way.
  const recheck = setInterval(() => {
    for (const s of sockets()) {
      share.links.stillValid(s.data.link.id).then((valid) => { if (!valid) end(s, 'This share link has ended.'); })
        .catch((err: unknown) => log.error({ err, linkId: s.data.link.id }, 'share link re-check failed'));
    }
  }, REAUTHORIZE_MS);
  expiry.unref();
  recheck.unref();
  io.httpServer?.on('close', () => { clearInterval(expiry); clearInterval(recheck); });

  nsp.on('connection', (socket) => {
    const { link } = socket.data;
    const fail = (ack: Ack<Record<string, unknown>>, error: string) => ack({ ok: false, error });

    socket.on('share:follow', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = schemas.follow.safeParse(raw);
      if (!req.success) return fail(ack, req.error.issues.map((i) => i.message).join('; '));
      socket.data.stopFollow?.();
      try {
        socket.data.stopFollow = await services.events.follow(link.sessionId, req.data.afterSeq, (e) => socket.emit('share:event', e));
        await socket.join(shareRoom(link.sessionId));
        ack({ ok: true });
      } catch (err) {
        log.error({ err, sessionId: link.sessionId }, 'share follow failed');
        fail(ack, 'Could not load the session events.');
      }
    });

    socket.on('share:terminals', (rawAck) => {
      const ack = safeAck(rawAck);
      ack({ ok: true, terminals: terminals.list(link.sessionId).map((t, i) => ({ id: t.id, title: `Terminal ${i + 1}`, exited: !!t.exit })) });
    });

    socket.on('share:terminal:watch', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = schemas.watch.safeParse(raw);
      if (!req.success) return fail(ack, req.error.issues.map((i) => i.message).join('; '));
      const { terminalId, fromOffset } = req.data;
      if (terminals.get(terminalId)?.sessionId !== link.sessionId) return fail(ack, 'No such terminal in this session.');
      socket.data.watching.get(terminalId)?.detach();
      // A link's viewer acknowledges what it renders but never holds the pty back (terminals.ts):
      // one that stops acknowledging only stops being sent output itself.
      const attached = await terminals.attach(terminalId, fromOffset, {
        onData: (c) => socket.emit('share:terminal:data', { terminalId, start: c.start, end: c.end, data: c.data, ...(c.truncated ? { truncated: true } : {}) }),
        onExit: (e) => socket.emit('share:terminal:exit', { terminalId, exitCode: e.exitCode }),
      }, { userId: null, viaLink: true });
      if (!attached.ok) return fail(ack, attached.message);
      const attachment = attached.value;
      if (socket.disconnected) return attachment.detach();
      socket.data.watching.set(terminalId, attachment);
      ack({ ok: true });
    });

    socket.on('share:terminal:ack', (raw) => {
      const req = schemas.ack.safeParse(raw);
      if (req.success) socket.data.watching.get(req.data.terminalId)?.ack(req.data.chars);
    });

    socket.on('share:terminal:unwatch', (raw) => {
      const req = schemas.unwatch.safeParse(raw);
      if (!req.success) return;
      socket.data.watching.get(req.data.terminalId)?.detach();
      socket.data.watching.delete(req.data.terminalId);
    });

    socket.on('disconnect', () => {
      socket.data.stopFollow?.();
      for (const a of socket.data.watching.values()) a.detach();
    });
  });

  return nsp;
}
