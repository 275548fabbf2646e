// One HTTP server: /healthz, the tRPC API, Socket.IO, and the Next.js app for everything else.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import next from 'next';
import { readCookie, resolvePrincipal, SESSION_COOKIE } from './auth/auth-sessions.ts';
import { needsSetup } from './auth/accounts.ts';
import { appRouter } from './api/root.ts';
import { createContext } from './api/trpc.ts';
import { encodePagePrincipal, PRINCIPAL_HEADER, SETUP_HEADER } from './api/page-headers.ts';
import { attachSocketServer } from './realtime/socket.ts';
import type { Services } from './services.ts';
import { VERSION } from './version.ts';

const projectRoot = path.resolve(import.meta.dirname, '..');


type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The Next.js app's request handler (pages, assets), ready to serve. */
export async function createPageHandler(services: Services): Promise<PageHandler> {
  const { config } = services;
  const nextApp = next({ dev: config.dev, dir: projectRoot, hostname: config.HOST, port: config.PORT, quiet: !config.dev });
  const handle = nextApp.getRequestHandler();
  await nextApp.prepare();
  return (req, res) => handle(req, res);
}

/** Tests pass their own page handler to run the API and sockets without a Next build. */
export function createHttpServer(services: Services, handlePages: PageHandler) {
  const { log, db } = services;

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    createContext: ({ req, res }) => createContext(services, req, res),
    onError: ({ error, path: procedure }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error, procedure }, 'tRPC error');
    },
  });

  // Once an admin exists, setup never reopens: cache the answer instead of querying per page.
  let setupDone = false;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/healthz') return health(res);
    if (url.pathname.startsWith('/api/trpc/')) return trpc(req, res);

    delete req.headers[PRINCIPAL_HEADER];
    delete req.headers[SETUP_HEADER];
    if (!url.pathname.startsWith('/_next/')) {
      const principal = await resolvePrincipal(db, readCookie(req.headers.cookie, SESSION_COOKIE));
      if (principal) req.headers[PRINCIPAL_HEADER] = encodePagePrincipal({ ...principal.user, role: principal.role });
      if (!setupDone) setupDone = !(await needsSetup(db));
      if (!setupDone) req.headers[SETUP_HEADER] = '1';
    }
    return handlePages(req, res);
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
  return { server, io };
}
