// The process's domain services, built once at start-up and handed to the transports.
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './log.ts';
import { FailureLimiter } from './auth/rate-limit.ts';
import { createLocalBus, type EventBus } from './sessions/bus.ts';
import { systemActor } from './sessions/event-types.ts';
import { createEventStream, type EventStream } from './sessions/stream.ts';
import { SessionService } from './sessions/service.ts';
import { installationUidBase, WorkspaceManager } from './sessions/workspaces.ts';
import type { WorkspaceProvider } from './workspace/provider.ts';
import { TerminalManager } from './workspace/terminals.ts';
import { FileWatchService } from './sessions/file-watch.ts';
import { AgentService } from './agent/service.ts';
import { ApprovalService } from './agent/approvals/service.ts';
import type { AgentDelta } from './agent/loop.ts';
import { agentWorkspace } from './agent/workspace-adapter.ts';
import { teamPolicy } from './agent/policy/team-policy.ts';
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
  /** The approval gate: pending calls, who may answer them, the admin queue. */
  approvals: ApprovalService;
  /** The transport registers where live agent text deltas go (the folded messages are events). */
  onAgentDelta(listener: (d: AgentDelta) => void): void;
  loginLimits: { byEmail: FailureLimiter; byAddress: FailureLimiter };
}

export function createServices(config: Config, log: Logger, db: Db, provider: WorkspaceProvider): Services {
  const bus = createLocalBus();
  const events = createEventStream(db, bus);
  const workspaces = new WorkspaceManager(db, events, provider, log, installationUidBase(config.dataDir), config.TETHER_GIT_LOCAL_ROOTS);
  const sessions = new SessionService(db, events, workspaces, log);
  const terminals = new TerminalManager({
    log, idleTimeoutMs: config.TETHER_TERMINAL_IDLE_TIMEOUT * 1000,
    // Commands people run become session events: the audit and the timeline show who ran what, where, with what result.
    onCommand: ({ sessionId, terminalId, userId, command, cwd, exitCode }) => {
      void events.append(sessionId, { type: 'terminal.command', payload: { terminalId, command, cwd, exitCode } }, userId ? { kind: 'user', id: userId } : systemActor)
        .catch((err: unknown) => log.error({ err, sessionId, terminalId }, 'could not record a terminal command'));
    },
  });
  const models = createModels(config, db, log);
  let forwardDelta: (d: AgentDelta) => void = () => {};
  const approvals = new ApprovalService({ db, events, log, timeoutMs: config.TETHER_APPROVAL_TIMEOUT * 1000 });
  // The run being decided is the one a trip pauses; the agent exists by the time any call is decided.
  const leash = teamPolicy({ db, log, approvals, pause: (...a) => agent.pause(...a) });
  const agent = new AgentService({
    db, events, log,
    policy: leash.policy,
    approvals: leash.approvals,
    router: models.router,
    meter: models.meter,
    maxSteps: config.TETHER_AGENT_MAX_STEPS,
    workspaces: async (sessionId) => {
      const row = (await db.session.findUnique({ where: { id: sessionId }, include: { workspace: true } }))?.workspace;
      return row?.status === 'ready' ? agentWorkspace(await workspaces.get(row)) : null;
    },
    onDelta: (d) => forwardDelta(d),
  });
  // Answered after a restart (the run was interrupted while it waited): carry on with the answer.
  approvals.onSettledWithoutRun(({ sessionId, runId }) => {
    agent.resume(sessionId, runId)
      .then((r) => { if (!r.ok) log.warn({ sessionId, runId, error: r.error }, 'run not resumed after its approval was answered'); })
      .catch((err: unknown) => log.error({ err, sessionId, runId }, 'resuming a run after its approval failed'));
  });
  sessions.onStop(async (sessionId) => {
    terminals.closeSession(sessionId);
    await agent.stop(sessionId);
  });
  return {
    config, log, db, bus, events, workspaces, sessions, terminals, models, agent, approvals,
    fileWatch: new FileWatchService(log),
    onAgentDelta: (listener) => { forwardDelta = listener; },
    loginLimits: {
      byEmail: new FailureLimiter(LOGIN_FAILURES_PER_EMAIL, LOGIN_WINDOW_MS),
      byAddress: new FailureLimiter(LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_MS),
    },
  };
}
