// GET /metrics for Prometheus. With TETHER_METRICS_TOKEN set it asks for that bearer token;
// without one it answers only loopback clients, so a scrape never leaks figures to the internet.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../services.ts';
import { registerGauges, registry } from './registry.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function allowed(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return LOOPBACK.has(req.socket.remoteAddress ?? '');
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function metricsHandler(services: Services) {
  const { db, terminals, config, log } = services;
  registerGauges({
    async sessionsByStatus() {
      const rows = await db.session.groupBy({ by: ['status'], _count: { _all: true } });
      return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
    },
    terminalsOpen: () => terminals.size,
    agentRunsActive: () => db.agentRun.count({ where: { status: 'running' } }),
    approvalsPending: () => db.approval.count({ where: { status: 'pending' } }),
  });
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (!allowed(req, config.TETHER_METRICS_TOKEN)) {
      res.writeHead(config.TETHER_METRICS_TOKEN ? 401 : 403, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(config.TETHER_METRICS_TOKEN ? 'Send the metrics token as a bearer token.\n' : 'Metrics are served to loopback clients only; set TETHER_METRICS_TOKEN to scrape from elsewhere.\n');
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      res.end(body);
    } catch (err) {
      log.error({ err }, 'could not collect metrics');
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Could not collect the metrics; the server log has the details.\n');
    }
  };
}
