// The process's domain services, built once at start-up and handed to the transports.
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './log.ts';
import { FailureLimiter } from './auth/rate-limit.ts';
import { createLocalBus, type EventBus } from './sessions/bus.ts';
import { createEventStream, type EventStream } from './sessions/stream.ts';
import { SessionService } from './sessions/service.ts';
import { WorkspaceManager } from './sessions/workspaces.ts';
import type { WorkspaceProvider } from './workspace/provider.ts';
import { TerminalManager } from './workspace/terminals.ts';
import { FileWatchService } from './sessions/file-watch.ts';

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
  loginLimits: { byEmail: FailureLimiter; byAddress: FailureLimiter };
}

export function createServices(config: Config, log: Logger, db: Db, provider: WorkspaceProvider): Services {
  const bus = createLocalBus();
  const events = createEventStream(db, bus);
  const workspaces = new WorkspaceManager(db, events, provider, log);
  const sessions = new SessionService(db, events, workspaces, log);
  const terminals = new TerminalManager({ log, idleTimeoutMs: config.TETHER_TERMINAL_IDLE_TIMEOUT * 1000 });
  sessions.onStop((sessionId) => { terminals.closeSession(sessionId); });
  return {
    config, log, db, bus, events, workspaces, sessions, terminals,
    fileWatch: new FileWatchService(log),
    loginLimits: {
      byEmail: new FailureLimiter(LOGIN_FAILURES_PER_EMAIL, LOGIN_WINDOW_MS),
      byAddress: new FailureLimiter(LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_MS),
    },
  };
}
