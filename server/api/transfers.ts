// Files in and out of a workspace over plain HTTP, beside tRPC (bytes, not JSON):
//   POST /api/files/upload?sessionId=…&path=…   body: the file's bytes (application/octet-stream)
//   GET  /api/files/download?sessionId=…&path=… a file as itself, a folder as a zip
// Same guards as the API: the sign-in cookie, access to the session (unknown and foreign look
// alike), the CSRF check (an upload must be octet-stream from an allowed origin: a foreign page
// cannot send that type without a preflight), the upload size limit before and while reading,
// and the file API's path rules. The workspace host writes and reads, as the workspace uid.
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { readCookie, resolvePrincipal, SESSION_COOKIE } from '../auth/auth-sessions.ts';
import { SessionAccessError, SessionRoleError } from '../sessions/access.ts';
import { sessionIdSchema } from '../sessions/schemas.ts';
import type { Services } from '../services.ts';
import { FileError, type FileErrorCode } from '../workspace/file-errors.ts';
import { WorkspaceHostError } from '../workspace/host/workspace-host.ts';
import { checkRelative } from '../workspace/paths.ts';
import { DEFAULT_ZIP_LIMITS, planZip, writeZip } from '../workspace/zip-folder.ts';
import { answerAndDrain, checkCrossSite, readBodyBytes } from './request-guards.ts';

export const TRANSFER_PREFIX = '/api/files/';

const query = z.object({ sessionId: sessionIdSchema, path: z.string().max(4096) });

const fileStatus: Record<FileErrorCode, number> = {
  INVALID_PATH: 400, OUTSIDE_WORKSPACE: 403, NOT_FOUND: 404, ALREADY_EXISTS: 409, NOT_A_DIRECTORY: 400, IS_A_DIRECTORY: 400,
  CONFLICT: 409, TOO_LARGE: 413, PERMISSION_DENIED: 403, NO_SPACE: 507,
};

/** A failure with the words the browser shows. */
class TransferError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function asTransferError(err: unknown): TransferError | null {
  if (err instanceof TransferError) return err;
  if (err instanceof FileError) return new TransferError(fileStatus[err.code], err.message);
  if (err instanceof SessionAccessError) return new TransferError(404, err.message);
  if (err instanceof SessionRoleError) return new TransferError(403, err.message);
  if (err instanceof WorkspaceHostError) return new TransferError(503, err.message);
  return null;
}

/** `filename*` carries any name; the plain `filename` is an ASCII stand-in for old clients. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function createTransferHandler(services: Services, allowedOrigins: string[] | null) {
  const { log, db, config } = services;

  async function workspaceFor(req: IncomingMessage, url: URL, write: boolean) {
    const principal = await resolvePrincipal(db, readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!principal) throw new TransferError(401, 'Sign in to continue.');
    const q = query.safeParse({ sessionId: url.searchParams.get('sessionId'), path: url.searchParams.get('path') ?? '' });
    if (!q.success) throw new TransferError(400, q.error.issues.map((i) => i.message).join('; '));
    const rel = checkRelative(q.data.path);
    const { session, workspace } = await services.sessions.workspace(principal, q.data.sessionId, write ? 'write' : 'read');
    if (write && session.status === 'stopped') throw new TransferError(409, 'The session is stopped; its files are read-only.');
    return { principal, sessionId: q.data.sessionId, rel, workspace };
  }

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL) {
    const crossSite = checkCrossSite(req, allowedOrigins, 'application/octet-stream');
    if (crossSite) throw new TransferError(crossSite.status, crossSite.message);
    const { principal, sessionId, rel, workspace } = await workspaceFor(req, url, true);
    if (!rel) throw new TransferError(400, 'Name the file to upload.');
    const body = await readBodyBytes(req, config.TETHER_MAX_UPLOAD_BYTES);
    if (!body.ok) {
      if (!body.refusal) return;
      throw new TransferError(body.refusal.status, `${path.posix.basename(rel)} is too large to upload: ${body.refusal.message.replace(/^The request is too large \((.*)\)\.$/, '$1')}.`);
    }
    // Never over an existing file: a drop that would replace something is refused in words.
    const written = await workspace.files.createFile(rel, body.bytes);
    await services.events.append(sessionId, { type: 'file.changed', payload: { path: written.path, change: 'created' } }, { kind: 'user', id: principal.user.id });
    sendJson(res, 201, { path: written.path, size: written.size });
  }

  async function download(req: IncomingMessage, res: ServerResponse, url: URL) {
    // A download changes nothing, but nobody else's page should start one in a signed-in browser.
    if (req.headers['sec-fetch-site'] === 'cross-site') throw new TransferError(403, 'Requests from other sites are not accepted.');
    const { rel, workspace } = await workspaceFor(req, url, false);
    const entry = await workspace.files.stat(rel);
    if (entry.type === 'file') {
      const bytes = await workspace.files.readBytes(rel, DEFAULT_ZIP_LIMITS.fileBytes);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length, 'content-disposition': attachment(entry.name), 'cache-control': 'no-store' });
      return void res.end(bytes);
    }
    if (entry.type !== 'directory') throw new TransferError(400, `${rel} is not a file or a folder.`);
    // Walked before the first byte goes out, so "too large" is still an answer, not a cut-off zip.
    const plan = await planZip(workspace.files, rel);
    res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': attachment(`${rel ? path.posix.basename(rel) : 'workspace'}.zip`), 'cache-control': 'no-store' });
    try {
      await writeZip(workspace.files, plan, res);
    } catch (err) {
      log.error({ err, path: rel }, 'download: the zip was cut short');
      res.destroy();
    }
  }

  return async function handleTransfer(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const action = url.pathname.slice(TRANSFER_PREFIX.length);
    try {
      if (action === 'upload' && req.method === 'POST') return await upload(req, res, url);
      if (action === 'download' && req.method === 'GET') return await download(req, res, url);
      throw new TransferError(404, 'No such file transfer.');
    } catch (err) {
      const known = asTransferError(err);
      if (!known) throw err;
      log.warn({ action, path: url.searchParams.get('path'), status: known.status }, 'file transfer refused: %s', known.message);
      if (res.headersSent) return void res.destroy();
      // An upload refused before its body was read: drain a little so the browser reads the answer.
      if (req.method === 'POST' && !req.readableEnded) return answerAndDrain(req, res, known.status, JSON.stringify({ error: known.message }));
      sendJson(res, known.status, { error: known.message });
    }
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
