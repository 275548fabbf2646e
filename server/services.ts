// The process's domain services, built once at start-up and handed to the transports.
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './log.ts';
import { FailureLimiter } from './auth/rate-limit.ts';
import { createLocalBus, type EventBus } from './sessions/bus.ts';
import { createEventStream, type EventStream } from './sessions/stream.ts';
import { SessionService } from './sessions/service.ts';
import { installationUidBase, WorkspaceManager } from './sessions/workspaces.ts';
import type { WorkspaceProvider } from './workspace/provider.ts';
import { TerminalManager } from './workspace/terminals.ts';
import { FileWatchService } from './sessions/file-watch.ts';
import { generateFromStream } from './agent/context/extract-model.ts';
import { MemoryStore } from './agent/context/memory.ts';
import { AgentService } from './agent/service.ts';
import type { AgentDelta } from './agent/loop.ts';
import { agentWorkspace } from './agent/workspace-adapter.ts';
import { createModels, type Models } from './models/models.ts';

/** Login throttling: per email and per client address, 15-minute window. */
const LOGIN_WINDOW_MS = 15 * 60_000;
const LOGIN_FAILURES_PER_EMAIL = 5;
const LOGIN_FAILURES_PER_ADDRESS = 20;

export interface Services {
  config: Config;
  log: Logger;
  db: Db;
  bus: EventBus;
  events: EventStream;
  workspaces: WorkspaceManager;
  sessions: SessionService;
  terminals: TerminalManager;
  fileWatch: FileWatchService;
  models: Models;
  agent: AgentService;
  /** Session and workspace memory; every change through it is a memory.* event. */
  memory: MemoryStore;
  /** The transport registers where live agent text deltas go (the folded messages are events). */
  onAgentDelta(listener: (d: AgentDelta) => void): void;
  loginLimits: { byEmail: FailureLimiter; byAddress: FailureLimiter };
}

export function createServices(config: Config, log: Logger, db: Db, provider: WorkspaceProvider): Services {
  const bus = createLocalBus();
  const events = createEventStream(db, bus);
  const workspaces = new WorkspaceManager(db, events, provider, log, installationUidBase(config.dataDir));
  const sessions = new SessionService(db, events, workspaces, log);
  const terminals = new TerminalManager({ log, idleTimeoutMs: config.TETHER_TERMINAL_IDLE_TIMEOUT * 1000 });
  const models = createModels(config, db, log);
  let forwardDelta: (d: AgentDelta) => void = () => {};
  const agent = new AgentService({
    db, events, log,
    router: models.router,
    meter: models.meter,
    // Model extraction costs a call per turn, so it runs only when someone chose its routes;
    // otherwise memory comes from the rules alone.
    extraction: config.TETHER_MODELS_EXTRACTION ? generateFromStream((req) => models.router.stream({ ...req, task: 'extraction' })) : undefined,
    maxSteps: config.TETHER_AGENT_MAX_STEPS,
    workspaces: async (sessionId) => {
      const row = (await db.session.findUnique({ where: { id: sessionId }, include: { workspace: true } }))?.workspace;
      return row?.status === 'ready' ? agentWorkspace(await workspaces.get(row)) : null;
    },
    onDelta: (d) => forwardDelta(d),
  });
  sessions.onStop(async (sessionId) => {
    terminals.closeSession(sessionId);
    await agent.stop(sessionId);
  });
  return {
    config, log, db, bus, events, workspaces, sessions, terminals, models, agent,
    memory: new MemoryStore(db, events),
    fileWatch: new FileWatchService(log),
    onAgentDelta: (listener) => { forwardDelta = listener; },
    loginLimits: {
      byEmail: new FailureLimiter(LOGIN_FAILURES_PER_EMAIL, LOGIN_WINDOW_MS),
      byAddress: new FailureLimiter(LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_MS),
    },
  };
}
