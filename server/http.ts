// One HTTP server: /healthz, the tRPC API, Socket.IO, and the Next.js app for everything else.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import next from 'next';
import { readCookie, resolvePrincipal, SESSION_COOKIE } from './auth/auth-sessions.ts';
import { needsSetup } from './auth/accounts.ts';
import { parseAllowedOrigins } from './auth/origins.ts';
import { appRouter } from './api/root.ts';
import { createContext } from './api/trpc.ts';
import { goneStatus } from './api/share-refusals.ts';
import { refuseSharePage, SHARE_PAGE } from './api/share-page.ts';
import { bodyLimit, checkCrossSite, readBody, refuse } from './api/request-guards.ts';
import { encodePagePrincipal, PRINCIPAL_HEADER, SESSION_TITLE_HEADER, SESSION_VISIBLE_HEADER, SETUP_HEADER } from './api/page-headers.ts';
import { attachSocketServer } from './realtime/socket.ts';
import { attachShareNamespace } from './realtime/share-socket.ts';
import { attachPresence } from './realtime/presence.ts';
import { createTransferHandler, TRANSFER_PREFIX } from './api/transfers.ts';
import { metricsHandler } from './metrics/endpoint.ts';
import { SessionAccessError } from './sessions/access.ts';
import { sessionIdSchema } from './sessions/schemas.ts';
import type { Principal } from './auth/roles.ts';
import type { Config } from './config.ts';
import type { Services } from './services.ts';
import { VERSION } from './version.ts';

const projectRoot = path.resolve(import.meta.dirname, '..');
const API_PREFIX = '/api/trpc/';
const SESSION_PAGE = /^\/sessions\/([^/]+)$/;

function decodes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}


type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The Next.js app's request handler (pages, assets), ready to serve. */
export async function createPageHandler(config: Config): Promise<PageHandler> {
  const nextApp = next({ dev: config.dev, dir: projectRoot, hostname: config.HOST, port: config.PORT, quiet: !config.dev });
  const handle = nextApp.getRequestHandler();
  await nextApp.prepare();
  return (req, res) => handle(req, res);
}

/** Tests pass their own page handler to run the API and sockets without a Next build. */
export function createHttpServer(services: Services, handlePages: PageHandler) {
  const { log, db, config } = services;
  const allowedOrigins = parseAllowedOrigins(config.TETHER_ALLOWED_ORIGINS);

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: API_PREFIX,
    createContext: ({ req, res }) => createContext(services, req, res),
    responseMeta: goneStatus,
    onError: ({ error, path: procedure }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error, procedure }, 'tRPC error');
    },
  });

  const transfers = createTransferHandler(services, allowedOrigins);
  const metrics = metricsHandler(services);

  // Once an admin exists, setup never reopens: cache the answer instead of querying per page.
  let setupDone = false;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/healthz') return health(res);
    if (url.pathname === '/metrics' && req.method === 'GET') return metrics(req, res);
    if (url.pathname.startsWith(API_PREFIX)) return api(req, res, url.pathname.slice(API_PREFIX.length));
    if (url.pathname.startsWith(TRANSFER_PREFIX)) return transfers(req, res, url);
    // Next.js fails such paths with a 500 while decoding route parameters: it is the client's error.
    if (!decodes(url.pathname)) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('Bad request: the address is not valid percent-encoding.');
    }

    delete req.headers[PRINCIPAL_HEADER];
    delete req.headers[SETUP_HEADER];
    delete req.headers[SESSION_VISIBLE_HEADER];
    delete req.headers[SESSION_TITLE_HEADER];
    if (!url.pathname.startsWith('/_next/')) {
      const principal = await resolvePrincipal(db, readCookie(req.headers.cookie, SESSION_COOKIE));
      if (principal) req.headers[PRINCIPAL_HEADER] = encodePagePrincipal({ ...principal.user, role: principal.role });
      const sharePage = SHARE_PAGE.exec(url.pathname);
      if (sharePage && (await refuseSharePage(services, req, res, sharePage[1]!, principal))) return;
      const sessionPage = SESSION_PAGE.exec(url.pathname);
      if (principal && sessionPage) {
        const title = await visibleSessionTitle(principal, sessionPage[1]!);
        req.headers[SESSION_VISIBLE_HEADER] = title === null ? '0' : '1';
        if (title !== null) req.headers[SESSION_TITLE_HEADER] = encodeURIComponent(title);
        // Its workspace runs on another live instance that browsers can reach: go there.
        const elsewhere = title !== null ? await services.workspaces.runsElsewhere(decodeURIComponent(sessionPage[1]!)) : null;
        if (elsewhere?.url) {
          res.writeHead(307, { location: new URL(url.pathname + url.search, elsewhere.url).toString(), 'cache-control': 'no-store' });
          return void res.end();
        }
      }
      if (!setupDone) setupDone = !(await needsSetup(db));
      if (!setupDone) req.headers[SETUP_HEADER] = '1';
    }
    return handlePages(req, res);
  }

  /** tRPC gets a body already read within its route's limit, from a request that passed the CSRF check. */
  async function api(req: IncomingMessage, res: ServerResponse, procedurePath: string) {
    const crossSite = checkCrossSite(req, allowedOrigins);
    if (crossSite) {
      log.warn({ procedure: procedurePath, origin: req.headers.origin, fetchSite: req.headers['sec-fetch-site'], contentType: req.headers['content-type'] }, 'API request refused: %s', crossSite.message);
      return refuse(req, res, crossSite);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = await readBody(req, bodyLimit(procedurePath, config.TETHER_MAX_UPLOAD_BYTES));
      if (!body.ok) {
        if (!body.refusal) return;
        log.warn({ procedure: procedurePath, address: req.socket.remoteAddress, contentLength: req.headers['content-length'] }, 'API request refused: %s', body.refusal.message);
        return refuse(req, res, body.refusal);
      }
      (req as IncomingMessage & { body?: string }).body = body.text;
    }
    return trpc(req, res);
  }

  /** The title of a session page this user may see, else null; unknown and foreign ids look the same. */
  async function visibleSessionTitle(principal: Principal, rawId: string): Promise<string | null> {
    const id = sessionIdSchema.safeParse(decodeURIComponent(rawId));
    if (!id.success) return null;
    try {
      return (await services.sessions.get(principal, id.data, 'read')).title;
    } catch (err) {
      if (err instanceof SessionAccessError) return null;
      throw err;
    }
  }

  async function health(res: ServerResponse) {
    let database = 'ok';
    try {
      await db.$queryRawUnsafe('SELECT 1');
    } catch (err) {
      log.error({ err }, 'health check: database unreachable');
      database = 'unreachable';
    }
    res.statusCode = database === 'ok' ? 200 : 503;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify({ status: database === 'ok' ? 'ok' : 'degraded', version: VERSION, database }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) res.statusCode = 500;
      res.end('Internal error');
    });
  });
  const io = attachSocketServer(server, services);
  attachShareNamespace(io, services);
  attachPresence(io, services);
  return { server, io };
}
