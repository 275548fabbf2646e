// What an API request must satisfy before tRPC sees it: a state-changing request comes from an
// allowed origin and is JSON (CSRF), and no body is read past its route's size limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { originAllowed } from '../auth/origins.ts';
import { appRouter } from './root.ts';
import type { Meta } from './trpc.ts';

/** Ordinary calls (sign-in, settings, agent messages) fit easily; an anonymous flood does not. */
export const MAX_API_BODY_BYTES = 1024 * 1024;

const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } } | undefined>;

/** `path` is the part after /api/trpc/: one procedure, or a batch of them joined by commas. */
export function bodyLimit(path: string, uploadLimit: number): number {
  return path.split(',').every((p) => procedures[p]?._def.meta?.upload) ? uploadLimit : MAX_API_BODY_BYTES;
}

export interface Refusal { status: 403 | 413 | 415; code: 'FORBIDDEN' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE'; message: string }

const DRAIN_MS = 2_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a browser reports for a request its own page made, or one the user typed. */
const SAME_ORIGIN_FETCH_SITES = new Set(['same-origin', 'none']);

/**
 * CSRF: browsers send Origin on every cross-site POST, and a non-JSON content type is how a
 * foreign page posts without a CORS preflight. Requests with neither Origin nor Sec-Fetch-Site
 * come from non-browser clients (curl, scripts), which carry no ambient cookie of a victim.
 */
export function checkCrossSite(req: IncomingMessage, allowed: string[] | null, mediaTypeRequired = 'application/json'): Refusal | null {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return null;
  const fetchSite = req.headers['sec-fetch-site'];
  const fromAllowedOrigin = req.headers.origin !== undefined
    ? originAllowed(req, allowed)
    : fetchSite === undefined || SAME_ORIGIN_FETCH_SITES.has(fetchSite);
  if (!fromAllowedOrigin) return { status: 403, code: 'FORBIDDEN', message: 'Requests from other sites are not accepted.' };
  const mediaType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== mediaTypeRequired) return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `Send the request body as ${mediaTypeRequired}.` };
  return null;
}

const tooLarge = (limit: number): Refusal => ({
  status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The request is too large (at most ${formatBytes(limit)}).`,
});

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
}

/**
 * Reads the body as text, refusing by Content-Length before reading anything and by counting
 * bytes as they arrive (chunked bodies), so memory never holds more than `limit` bytes of it.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<{ ok: true; text: string } | { ok: false; refusal: Refusal | null }> {
  const body = await readBodyBytes(req, limit);
  return body.ok ? { ok: true, text: body.bytes.toString('utf8') } : body;
}

/** The body as bytes (uploads), with the same limits as readBody. */
export function readBodyBytes(req: IncomingMessage, limit: number): Promise<{ ok: true; bytes: Buffer } | { ok: false; refusal: Refusal | null }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.resolve({ ok: false, refusal: tooLarge(limit) });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      resolve({ ok: false, refusal: tooLarge(limit) });
    };
    req.on('data', onData);
    req.on('end', () => resolve({ ok: true, bytes: Buffer.concat(chunks) }));
    // A client that goes away mid-body gets no answer (a null refusal); the first resolve wins.
    req.on('close', () => resolve({ ok: false, refusal: null }));
  });
}

/**
 * Answers in tRPC's wire format (one error per call of a batch), so the browser's client shows
 * the message like any other API error. The rest of the body is drained unread for a moment
 * (closing at once could reset the connection before the client reads the answer), then cut.
 */
export function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  const url = new URL(req.url ?? '/', 'http://local');
  const error = { json: { message: refusal.message, code: TRPC_ERROR_CODES_BY_KEY[refusal.code], data: { code: refusal.code, httpStatus: refusal.status } } };
  const calls = url.pathname.split('/').at(-1)?.split(',').length ?? 1;
  const body = url.searchParams.get('batch') === '1' ? Array.from({ length: calls }, () => ({ error })) : { error };
  answerAndDrain(req, res, refusal.status, JSON.stringify(body));
}

/** Sends a JSON answer before the body was read, drains the rest for a moment, then cuts the connection. */
export function answerAndDrain(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text, () => {
    req.resume();
    setTimeout(() => req.destroy(), DRAIN_MS).unref();
  });
}
