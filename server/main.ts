// Entry point: configuration → database (migrated) → services → one HTTP server.
import { mkdirSync } from 'node:fs';
import { config as loadConfig, ConfigError } from './config.ts';
import { createDb } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { resolveDbTarget } from './db/url.ts';
import { createServices, egressOptions } from './services.ts';
import { recoverTerminals } from './sessions/terminal-recovery.ts';
import { localCluster, redisCluster } from './scale/cluster.ts';
import { startTracing } from './telemetry/tracing.ts';
import { createLocalProvider } from './workspace/local-provider.ts';
import { startSpawner } from './workspace/spawner.ts';

/** In-flight requests get this long to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often each open workspace's disk use is checked (the watchdog, where no disk image enforces the quota). */
const DISK_CHECK_INTERVAL_MS = 15_000;
/** How often an instance looks for runs whose instance died (their lease lapsed): about a lease's TTL. */
const RUN_SWEEP_INTERVAL_MS = 15_000;

async function main() {
  // Before the heavier imports below and the database: the one fork of the server is cheapest now.
  startSpawner();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const { log } = await import('./log.ts');
  const { createHttpServer, createPageHandler } = await import('./http.ts');

  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Three independent starts overlap: the workspace provider (its sandbox probes and template
  // copies are other processes and disk; started first so they run while this thread works),
  // Next.js loading the app, and the database. The kubernetes provider (and its client library)
  // is loaded only when chosen.
  const k8s = config.kubernetes;
  const providerReady = k8s
    ? import('./workspace/kubernetes/provider.ts').then((k) => k.createKubernetesProvider({ settings: k8s, log }))
    : createLocalProvider({
      dataDir: config.dataDir, workspacesDir: config.TETHER_WORKSPACES_DIR, diskQuotaBytes: config.TETHER_WORKSPACE_DISK_BYTES,
      unsafeNoSandbox: config.TETHER_UNSAFE_NO_SANDBOX, limits: config.sandboxLimits, log,
      egress: egressOptions(config),
    });
  const pagesReady = createPageHandler(config);
  // Awaited below; a failure of either must not surface as unhandled while the database is awaited first.
  for (const ready of [pagesReady, providerReady]) ready.catch(() => {});
  const target = resolveDbTarget(config.DATABASE_URL, config.dataDir);
  const applied = await migrate(target);
  log.info({ provider: target.provider, applied }, 'database ready');
  const db = await createDb(target);
  // Prisma compiles its query compiler on connect (~0.6 s): first, while the provider's probes run.
  await db.$connect();
  const provider = await providerReady;
  if (config.kubernetes) log.info({ namespace: config.kubernetes.namespace, image: config.kubernetes.image }, 'workspaces run as pods on a cluster');
  const sandbox = provider.capabilities();
  if (!sandbox.confined) log.warn('UNSAFE: workspace processes run WITHOUT a sandbox (TETHER_UNSAFE_NO_SANDBOX=1)');
  const cluster = config.REDIS_URL
    ? await redisCluster(config.REDIS_URL, log, config.TETHER_INSTANCE_ID, config.TETHER_REDIS_PREFIX)
    : localCluster(log, config.TETHER_INSTANCE_ID);
  if (cluster.shared) log.info({ instance: cluster.instanceId }, 'sharing state with other instances through Redis');
  const stopTracing = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? await startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, instanceId: cluster.instanceId, log })
    : async () => {};
  const services = createServices(config, log, db, provider, cluster);
  const stopHeartbeat = await services.ownership.start();
  const stopDiskChecks = services.workspaces.startDiskChecks(DISK_CHECK_INTERVAL_MS);
  const { interrupted } = await services.agent.recover();
  // Other instances may die at any time: their runs' leases lapse, and this one marks those runs.
  const stopSweeps = cluster.shared ? services.agent.startSweeps(RUN_SWEEP_INTERVAL_MS) : () => {};
  if (interrupted) log.warn({ interrupted }, 'agent runs left running by the last process are marked interrupted');
  await recoverTerminals({
    db, events: services.events, log,
    adopt: async (sessionId, ids, controllers) => {
      const s = await db.session.findUnique({ where: { id: sessionId }, include: { workspace: true } });
      if (!s?.workspace || s.status === 'stopped' || s.workspace.status !== 'ready') return [];
      return services.terminals.adopt(sessionId, await services.workspaces.get(s.workspace), ids, controllers);
    },
    markLost: (sessionId, id, reason) => services.terminals.markLost(sessionId, id, reason),
  });
  const pendingApprovals = await services.approvals.recover();
  if (pendingApprovals) log.info({ pendingApprovals }, 'approvals still waiting for an answer');
  const { server, io } = createHttpServer(services, await pagesReady);

  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  log.info({ url }, 'Tether is listening');
  console.warn(`\n  Tether is running at ${config.TETHER_PUBLIC_URL ?? url}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => { log.warn('grace period over, exiting'); process.exit(1); }, SHUTDOWN_GRACE_MS);
    force.unref();
    await new Promise<void>((resolve) => {
      io.close(() => resolve()); // also stops the HTTP server from accepting; waits for in-flight requests
      server.closeIdleConnections();
    });
    stopSweeps();
    await stopHeartbeat();
    await services.agent.close();
    stopDiskChecks();
    services.approvals.close();
    // A restart is not "stop session": terminals keep running in their workspace hosts, and the
    // next server process adopts them (stopping a session still ends them).
    services.terminals.releaseAll();
    services.fileWatch.closeAll();
    // Bounded by the grace period: a disk is not unmounted while a template is still copied onto it.
    await services.workspaces.settled();
    await provider.shutdown();
    await db.$disconnect();
    await cluster.close();
    await stopTracing();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error('Tether failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
