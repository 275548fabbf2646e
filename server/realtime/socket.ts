// Socket.IO transport: authorizes every connection and every event, forwards domain events,
// and carries terminal I/O with acknowledgement-based flow control.
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { Principal } from '../auth/roles.ts';
import { WorkspaceElsewhereError } from '../scale/ownership.ts';
import { roleAllows, SessionAccessError, type SessionNeed, type SessionRole } from '../sessions/access.ts';
import { sessionIdSchema } from '../sessions/schemas.ts';
import { LOST_TERMINAL_REASON } from '../sessions/terminal-recovery.ts';
import type { Services } from '../services.ts';
import type { Attachment, TerminalInfo as DomainTerminal } from '../workspace/terminals.ts';
import { originAllowed, parseAllowedOrigins } from '../auth/origins.ts';
import { principalFromHandshake, REAUTHORIZE_MS } from './authorize.ts';
import { MAX_SOCKET_MESSAGE_BYTES, TERMINAL_INPUT_CHUNK_CHARS, type Ack, type ClientToServer, type ServerToClient, type TerminalInfo } from './protocol.ts';

interface SocketData {
  principal: Principal;
  checkedAt: number;
  follows: Map<string, () => void>;
  attachments: Map<string, Attachment>;
  /** The socket's role in each session it used, and when it was read: keystrokes must not each cost a query. */
  access: Map<string, { at: number; role: SessionRole }>;
}
type TetherSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

const session = z.object({ sessionId: sessionIdSchema });
const terminal = session.extend({ terminalId: z.uuid('invalid terminal id') });
const size = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };
const schemas = {
  follow: session.extend({ afterSeq: z.number().int().min(0) }),
  open: session.extend(size),
  attach: terminal.extend({ fromOffset: z.number().int().min(0).nullable() }),
  /** One keystroke, or one piece of a paste (the browser splits bigger ones). */
  input: terminal.extend({ data: z.string().max(TERMINAL_INPUT_CHUNK_CHARS) }),
  resize: terminal.extend(size),
  ack: terminal.extend({ chars: z.number().int().min(0).max(10_000_000) }),
};

/** A client may omit the callback; never let that throw inside a handler. */
const safeAck = (ack: unknown): Ack<Record<string, unknown>> => (typeof ack === 'function' ? (ack as Ack<Record<string, unknown>>) : () => {});
/** Sockets following a session (session:follow) are in this room. */
export const room = (sessionId: string) => `session:${sessionId}`;
const approvalsRoom = (teamId: string) => `approvals:${teamId}`;
/** A terminal is named by its place in the session's list. */
const titleAt = (index: number) => `Terminal ${index + 1}`;
const terminalInfo = (t: DomainTerminal, index: number, names: ReadonlyMap<string, string>): TerminalInfo => ({
  id: t.id, title: titleAt(index), exited: !!t.exit, ...(t.exit?.reason ? { ended: t.exit.reason } : {}),
  controller: t.controller ? { id: t.controller, name: names.get(t.controller) ?? 'someone' } : null,
});

export function attachSocketServer(http: HttpServer, services: Services) {
  const { log, terminals } = services;
  const userNames = async (ids: (string | null)[]) => {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    const users = wanted.length ? await services.db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } }) : [];
    return new Map(users.map((u) => [u.id, u.name]));
  };
  const allowed = parseAllowedOrigins(services.config.TETHER_ALLOWED_ORIGINS);
  const io = new Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>(http, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    // Refuse cross-site pages before any handshake work (cookies alone would let them in).
    allowRequest: (req, cb) => cb(originAllowed(req, allowed) ? null : 'origin not allowed', originAllowed(req, allowed)),
  });
  // Several instances: broadcasts to a session's room (agent deltas, file changes, approval
  // queue changes) reach its followers connected to any instance.
  if (services.cluster.socketAdapter) io.adapter(services.cluster.socketAdapter);

  services.fileWatch.onChange((sessionId, paths) => io.to(room(sessionId)).emit('files:changed', { sessionId, paths }));
  services.approvals.onChange((teamId) => io.to(approvalsRoom(teamId)).emit('approvals:changed'));
  services.onAgentDelta((d) => io.to(room(d.sessionId)).emit('agent:delta', { sessionId: d.sessionId, runId: d.runId, step: d.step, text: d.text }));

  io.use(async (socket, next) => {
    try {
      const principal = await principalFromHandshake(services.db, socket.request);
      if (!principal) return next(new Error('unauthorized'));
      socket.data = { principal, checkedAt: Date.now(), follows: new Map(), attachments: new Map(), access: new Map() };
      next();
    } catch (err) {
      log.error({ err }, 'socket authorization failed');
      next(new Error('unauthorized'));
    }
  });

  /**
   * Re-resolves a socket's sign-in: a socket whose sign-in ended is disconnected, and follows or
   * terminal attachments of sessions the user may no longer see are dropped.
   */
  async function revalidate(socket: TetherSocket): Promise<boolean> {
    const principal = await principalFromHandshake(services.db, socket.request);
    if (!principal) {
      log.info({ userId: socket.data.principal.user.id, socketId: socket.id }, 'socket disconnected: its sign-in has ended');
      socket.disconnect(true);
      return false;
    }
    socket.data.principal = principal;
    socket.data.checkedAt = Date.now();
    socket.data.access.clear();
    const visible = async (sessionId: string | undefined) => !!sessionId && (await services.sessions.get(principal, sessionId, 'read').then(
      () => true,
      (err: unknown) => { if (err instanceof SessionAccessError) return false; throw err; },
    ));
    for (const [sessionId, stop] of socket.data.follows) {
      if (!(await visible(sessionId))) { stop(); socket.data.follows.delete(sessionId); }
    }
    for (const [terminalId, attachment] of socket.data.attachments) {
      if (!(await visible(terminals.get(terminalId)?.sessionId))) { attachment.detach(); socket.data.attachments.delete(terminalId); }
    }
    return true;
  }

  const revalidateAll = (which: (s: TetherSocket) => boolean) => {
    for (const socket of io.of('/').sockets.values()) {
      if (socket.data.principal && which(socket)) {
        revalidate(socket).catch((err) => log.error({ err, socketId: socket.id }, 'socket re-authorization failed'));
      }
    }
  };
  // At once when a user's access changes; and periodically, so sign-ins that simply expire end
  // even on a socket that only listens.
  services.accessChanges.onChange((userId) => revalidateAll((s) => s.data.principal.user.id === userId));
  const sweep = setInterval(() => revalidateAll((s) => Date.now() - s.data.checkedAt > REAUTHORIZE_MS), REAUTHORIZE_MS);
  sweep.unref();
  http.on('close', () => clearInterval(sweep));

  /**
   * Every handler goes through this: valid input, a still-valid sign-in, a role in the session
   * that covers `need` (watching is a read; opening, typing into, resizing or closing a terminal
   * is work in the workspace), and (for terminal events) a terminal that belongs to that session.
   */
  async function authorize<T extends { sessionId: string; terminalId?: string }>(socket: TetherSocket, need: SessionNeed, schema: z.ZodType<T>, raw: unknown, ack?: Ack<Record<string, unknown>>): Promise<T | null> {
    const parsed = schema.safeParse(raw);
    const fail = (error: string) => { ack?.({ ok: false, error }); return null; };
    if (!parsed.success) return fail(parsed.error.issues.map((i) => i.message).join('; '));
    if (Date.now() - socket.data.checkedAt > REAUTHORIZE_MS && !(await revalidate(socket))) return fail('Your sign-in has ended.');
    const { sessionId } = parsed.data;
    let known = socket.data.access.get(sessionId);
    if (!known || Date.now() - known.at > REAUTHORIZE_MS) {
      try {
        known = { at: Date.now(), role: (await services.sessions.get(socket.data.principal, sessionId, 'read')).role };
        socket.data.access.set(sessionId, known);
      } catch {
        socket.data.access.delete(sessionId);
        return fail('You do not have access to this session.');
      }
    }
    if (!roleAllows(known.role, need)) return fail('You are a viewer of this session: you can watch, not type or change anything.');
    if (parsed.data.terminalId && terminals.get(parsed.data.terminalId)?.sessionId !== parsed.data.sessionId) {
      return fail('No such terminal in this session.');
    }
    return parsed.data;
  }

  const indexOf = (sessionId: string, terminalId: string) => terminals.list(sessionId).findIndex((t) => t.id === terminalId);

  io.on('connection', (socket) => {
    socket.on('session:follow', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = await authorize(socket, 'read', schemas.follow, raw, ack);
      if (!req) return;
      socket.data.follows.get(req.sessionId)?.();
      try {
        // File changes on disk reach every browser following a session once its workspace is
        // ready: now, or when the stream says it became ready (a new session is still provisioning).
        let release: (() => void) | null = null;
        let watching = false;
        let stopped = false;
        const watchFiles = async () => {
          if (watching || stopped) return;
          watching = true;
          try {
            const s = await services.sessions.get(socket.data.principal, req.sessionId, 'read');
            if (s.workspace?.status !== 'ready') { watching = false; return; }
            const files = (await services.workspaces.get(s.workspace)).files;
            if (!stopped) release = services.fileWatch.retain(req.sessionId, files);
          } catch (err) {
            watching = false;
            // The owner instance watches its files; what it sees reaches this room through the adapter.
            if (err instanceof WorkspaceElsewhereError) return;
            throw err;
          }
        };
        const stop = await services.events.follow(req.sessionId, req.afterSeq, (e) => {
          socket.emit('session:event', e);
          if (e.type === 'workspace.ready') watchFiles().catch((err: unknown) => log.warn({ err, sessionId: req.sessionId }, 'could not watch the workspace'));
        });
        await watchFiles();
        await socket.join(room(req.sessionId));
        socket.data.follows.set(req.sessionId, () => { stopped = true; stop(); release?.(); void socket.leave(room(req.sessionId)); });
        ack({ ok: true });
      } catch (err) {
        log.error({ err, sessionId: req.sessionId }, 'follow failed');
        ack({ ok: false, error: 'Could not load the session events.' });
      }
    });

    socket.on('session:unfollow', async (raw) => {
      const req = await authorize(socket, 'read', session, raw);
      if (!req) return;
      socket.data.follows.get(req.sessionId)?.();
      socket.data.follows.delete(req.sessionId);
    });

    socket.on('terminal:list', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = await authorize(socket, 'read', session, raw, ack);
      if (!req) return;
      const list = terminals.list(req.sessionId);
      const names = await userNames(list.map((t) => t.controller));
      ack({ ok: true, terminals: list.map((t, i) => terminalInfo(t, i, names)) });
    });

    socket.on('terminal:open', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = await authorize(socket, 'write', schemas.open, raw, ack);
      if (!req) return;
      try {
        const { session: s, workspace } = await services.sessions.workspace(socket.data.principal, req.sessionId);
        if (s.status === 'stopped') return ack({ ok: false, error: 'The session is stopped.' });
        // Only secrets whose rule names a variable; each hand-out is audited with who opened it.
        const env = s.workspaceId ? await services.secrets.envFor(s.workspaceId, { kind: 'terminal', userId: socket.data.principal.user.id }) : {};
        const { user } = socket.data.principal;
        const opened = await terminals.open({ sessionId: req.sessionId, workspace, cols: req.cols, rows: req.rows, env, controller: user.id });
        if (!opened.ok) return ack({ ok: false, error: opened.message });
        const info = terminalInfo(opened.value, indexOf(req.sessionId, opened.value.id), new Map([[user.id, user.name]]));
        await services.events.append(req.sessionId, { type: 'terminal.opened', payload: { terminalId: info.id, title: info.title } }, { kind: 'user', id: socket.data.principal.user.id });
        ack({ ok: true, terminal: info });
      } catch (err) {
        log.warn({ err, sessionId: req.sessionId }, 'terminal open failed');
        ack({ ok: false, error: err instanceof Error ? err.message : 'Could not open a terminal.' });
      }
    });

    socket.on('terminal:attach', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = await authorize(socket, 'read', schemas.attach, raw, ack);
      if (!req) return;
      socket.data.attachments.get(req.terminalId)?.detach();
      socket.data.attachments.delete(req.terminalId);
      // The replay from the host's ring buffer arrives through onData first, then live output.
      const attached = await terminals.attach(req.terminalId, req.fromOffset, {
        onData: (c) => socket.emit('terminal:data', { terminalId: req.terminalId, start: c.start, end: c.end, data: c.data, ...(c.truncated ? { truncated: true } : {}) }),
        onExit: (e) => socket.emit('terminal:exit', { terminalId: req.terminalId, exitCode: e.exitCode, ...(e.reason ? { reason: e.reason } : {}) }),
      }, { userId: socket.data.principal.user.id });
      if (!attached.ok) return ack({ ok: false, error: attached.message });
      if (socket.disconnected) return attached.value.detach();
      socket.data.attachments.set(req.terminalId, attached.value);
      ack({ ok: true });
    });

    socket.on('terminal:detach', async (raw) => {
      const req = await authorize(socket, 'read', terminal, raw);
      if (!req) return;
      socket.data.attachments.get(req.terminalId)?.detach();
      socket.data.attachments.delete(req.terminalId);
    });

    // Keystrokes reach the pty in the order typed. When an access re-check is due, authorize waits
    // on the database; keystrokes arriving meanwhile must wait behind it, not overtake it (seen:
    // `echo on-b-$((40+2))` reached bash as `(40 ec+2))…`). Only the terminal's controller is heard
    // (terminals.ts decides); anyone else who typed is told why.
    let input = Promise.resolve();
    socket.on('terminal:input', (raw) => {
      input = input.then(async () => {
        const req = await authorize(socket, 'write', schemas.input, raw);
        if (!req) return;
        const written = terminals.write(req.terminalId, req.data, socket.data.principal.user.id);
        if (!written.ok && written.error === 'NOT_IN_CONTROL') socket.emit('terminal:refused', { terminalId: req.terminalId, error: written.message });
      }).catch((err: unknown) => log.error({ err, socketId: socket.id }, 'terminal input failed'));
    });

    // A watcher's resize is dropped without a word: its screen refits on its own (control just
    // moved, a panel moved), nothing the person did.
    socket.on('terminal:resize', async (raw) => {
      const req = await authorize(socket, 'write', schemas.resize, raw);
      if (req) terminals.resize(req.terminalId, req.cols, req.rows, socket.data.principal.user.id);
    });

    // Taking over is work in the workspace: owners, admins and editors, not viewers.
    socket.on('terminal:takeover', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = await authorize(socket, 'write', terminal, raw, ack);
      if (!req) return;
      const { user } = socket.data.principal;
      const t = terminals.get(req.terminalId);
      if (!t || t.exit) return ack({ ok: false, error: t?.exit?.reason ?? 'The terminal has ended.' });
      const from = t.controller;
      if (from === user.id) return ack({ ok: true });
      const fromName = from ? (await userNames([from])).get(from) ?? 'someone' : null;
      const message = `${user.name} took over ${titleAt(indexOf(req.sessionId, req.terminalId))}${fromName ? ` from ${fromName}` : ''}.`;
      try {
        // Recorded first: the log is what a restarted server reads control back from.
        await services.events.append(req.sessionId, { type: 'terminal.control', payload: { terminalId: req.terminalId, from, to: user.id, toName: user.name, message } }, { kind: 'user', id: user.id });
      } catch (err) {
        log.error({ err, sessionId: req.sessionId }, 'could not record a terminal take-over');
        return ack({ ok: false, error: 'Could not take over: the session could not record it. Try again.' });
      }
      const moved = terminals.takeOver(req.terminalId, user.id);
      ack(moved.ok ? { ok: true } : { ok: false, error: moved.message });
    });

    socket.on('terminal:ack', async (raw) => {
      const req = await authorize(socket, 'read', schemas.ack, raw);
      if (req) socket.data.attachments.get(req.terminalId)?.ack(req.chars);
    });

    socket.on('terminal:close', async (raw, rawAck) => {
      const ack = safeAck(rawAck);
      const req = await authorize(socket, 'write', terminal, raw, ack);
      if (!req) return;
      socket.data.attachments.get(req.terminalId)?.detach();
      socket.data.attachments.delete(req.terminalId);
      // One that did not survive a restart is already closed in the log (with that reason).
      const recorded = terminals.get(req.terminalId)?.exit?.reason === LOST_TERMINAL_REASON;
      terminals.close(req.terminalId);
      if (!recorded) await services.events.append(req.sessionId, { type: 'terminal.closed', payload: { terminalId: req.terminalId, reason: 'closed by user' } }, { kind: 'user', id: socket.data.principal.user.id });
      ack({ ok: true });
    });

    socket.on('approvals:watch', async (rawAck) => {
      const ack = safeAck(rawAck);
      if (socket.data.principal.role !== 'admin') return ack({ ok: false, error: 'Only an admin can watch the approval queue.' });
      await socket.join(approvalsRoom(socket.data.principal.teamId));
      ack({ ok: true });
    });

    socket.on('disconnect', () => {
      for (const stop of socket.data.follows?.values() ?? []) stop();
      for (const a of socket.data.attachments?.values() ?? []) a.detach();
    });
  });

  return io;
}
