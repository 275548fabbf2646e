// The process's domain services, built once at start-up and handed to the transports.
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './log.ts';
import { FailureLimiter } from './auth/rate-limit.ts';
import { createLocalBus, type EventBus } from './sessions/bus.ts';
import { createEventStream, type EventStream } from './sessions/stream.ts';
import { SessionService } from './sessions/service.ts';

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
  sessions: SessionService;
  loginLimits: { byEmail: FailureLimiter; byAddress: FailureLimiter };
}

export function createServices(config: Config, log: Logger, db: Db): Services {
  const bus = createLocalBus();
  const events = createEventStream(db, bus);
  return {
    config, log, db, bus, events,
    sessions: new SessionService(db, events),
    loginLimits: {
      byEmail: new FailureLimiter(LOGIN_FAILURES_PER_EMAIL, LOGIN_WINDOW_MS),
      byAddress: new FailureLimiter(LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_MS),
    },
  };
}
