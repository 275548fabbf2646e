// The process's domain services, built once at start-up and handed to the transports.
import { readFileSync } from 'node:fs';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './log.ts';
import { AccessChanges } from './auth/access-changes.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import type { EventBus } from './sessions/bus.ts';
import { systemActor } from './sessions/event-types.ts';
import { createEventStream, type EventStream } from './sessions/stream.ts';
import { SessionMembers } from './sessions/members.ts';
import { SessionService } from './sessions/service.ts';
import { installationUidBase, WorkspaceManager } from './sessions/workspaces.ts';
import type { WorkspaceProvider } from './workspace/provider.ts';
import { TerminalManager } from './workspace/terminals.ts';
import { FileWatchService } from './sessions/file-watch.ts';
import { generateFromStream } from './agent/context/extract-model.ts';
import { MemoryStore } from './agent/context/memory.ts';
import { AgentService, runLeaseName } from './agent/service.ts';
import { ApprovalService } from './agent/approvals/service.ts';
import type { AgentDelta } from './agent/loop.ts';
import { agentWorkspace } from './agent/workspace-adapter.ts';
import { teamPolicy } from './agent/policy/team-policy.ts';
import { createModels, type Models } from './models/models.ts';
import { loadSecretKey } from './secrets/key.ts';
import { SecretStore } from './secrets/store.ts';
import { withLatestReleaseCheck } from './release/publish-gate.ts';
import { egressPolicy } from './sessions/egress.ts';
import { createShareServices, type ShareServices } from './share/services.ts';
import type { LocalProviderOptions } from './workspace/local-provider.ts';
import { localCluster, type Cluster } from './scale/cluster.ts';
import { sharedOwnership, soleOwnership, type Ownership } from './scale/ownership.ts';

export interface Services {
  config: Config;
  log: Logger;
  db: Db;
  /** What this instance shares with others (Redis), or the in-process stand-ins. */
  cluster: Cluster;
  /** Which instance runs each workspace (start() begins this instance's heartbeat). */
  ownership: Ownership;
  bus: EventBus;
  events: EventStream;
  workspaces: WorkspaceManager;
  sessions: SessionService;
  /** Who else is in a session (editors, viewers); changes are events, audited, and re-check sockets. */
  members: SessionMembers;
  terminals: TerminalManager;
  fileWatch: FileWatchService;
  models: Models;
  agent: AgentService;
  /** The approval gate: pending calls, who may answer them, the admin queue. */
  approvals: ApprovalService;
  /** Session and workspace memory; every change through it is a memory.* event. */
  memory: MemoryStore;
  /** Per-workspace secrets: admin changes, proxy headers (secrets.headersFor), env by rule, masking. */
  secrets: SecretStore;
  /** The transports register where live agent text deltas go (members' and viewers' namespaces; the folded messages are events). */
  onAgentDelta(listener: (d: AgentDelta) => void): void;
  loginThrottle: LoginThrottle;
  /** Sign-out, disabling and role changes announce themselves here; open sockets are re-checked. */
  accessChanges: AccessChanges;
  /** Share links, and what their holders may read (server/share/). */
  share: ShareServices;
}

export function createServices(config: Config, log: Logger, db: Db, provider: WorkspaceProvider, cluster: Cluster = localCluster(log)): Services {
  const { bus } = cluster;
  const events = createEventStream(db, bus, log);
  const ownership = cluster.shared
    ? sharedOwnership({ db, instanceId: cluster.instanceId, url: config.TETHER_INSTANCE_URL ?? null, log, heartbeatMs: config.TETHER_INSTANCE_HEARTBEAT * 1000 })
    : soleOwnership(db, cluster.instanceId);
  const workspaces = new WorkspaceManager(db, events, provider, log, installationUidBase(config.dataDir), config.TETHER_GIT_LOCAL_ROOTS, ownership);
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
  const secrets = new SecretStore({ db, log, key: loadSecretKey({ configured: config.TETHER_SECRET_KEY, dataDir: config.dataDir }) });
  const deltaListeners = new Set<(d: AgentDelta) => void>();
  const approvals = new ApprovalService({ db, events, log, timeoutMs: config.TETHER_APPROVAL_TIMEOUT * 1000, bus });
  // The run being decided is the one a trip pauses; the agent exists by the time any call is decided.
  const leash = teamPolicy({ db, log, approvals: withLatestReleaseCheck(approvals, db), pause: (...a) => agent.pause(...a) });
  const agent = new AgentService({
    db, events, log,
    policy: leash.policy,
    approvals: leash.approvals,
    router: models.router,
    meter: models.meter,
    // Model extraction costs a call per turn, so it runs only when someone chose its routes;
    // otherwise memory comes from the rules alone.
    extraction: config.TETHER_MODELS_EXTRACTION ? generateFromStream((req) => models.router.stream({ ...req, task: 'extraction' })) : undefined,
    maxSteps: config.TETHER_AGENT_MAX_STEPS,
    workspaces: async (sessionId) => {
      const row = (await db.session.findUnique({ where: { id: sessionId }, include: { workspace: true } }))?.workspace;
      return row?.status === 'ready' ? agentWorkspace(await workspaces.get(row), { store: secrets, workspaceId: row.id }) : null;
    },
    onDelta: (d) => { for (const listener of deltaListeners) listener(d); },
    leases: cluster.leases,
    signals: cluster.signals,
  });
  // Answered after a restart (the run was interrupted while it waited): carry on with the answer.
  // Answered here while the run waits on another instance: that instance hears it on the bus.
  approvals.onSettledWithoutRun(({ sessionId, runId }) => {
    // An egress approval has no run: the connection that asked is gone after a restart.
    if (!runId) return;
    (async () => {
      if (cluster.shared && (await cluster.leases.holder(runLeaseName(sessionId)))) return;
      const r = await agent.resume(sessionId, runId);
      if (!r.ok) log.warn({ sessionId, runId, error: r.error }, 'run not resumed after its approval was answered');
    })().catch((err: unknown) => log.error({ err, sessionId, runId }, 'resuming a run after its approval failed'));
  });

  provider.setEgressPolicy?.({ ...egressPolicy({ db, events, approvals, log }), upstreamHeaders: (workspaceId, host) => secrets.headersFor(workspaceId, host) });
  const fileWatch = new FileWatchService(log);
  sessions.onStop(async (sessionId) => {
    terminals.closeSession(sessionId);
    fileWatch.closeSession(sessionId);
    await agent.stop(sessionId);
  });
  const accessChanges = new AccessChanges();
  return {
    config, log, db, cluster, ownership, bus, events, workspaces, sessions, terminals, models, agent, approvals, secrets,
    members: new SessionMembers({ db, sessions, events, accessChanges }),
    memory: new MemoryStore(db, events),
    fileWatch,
    onAgentDelta: (listener) => { deltaListeners.add(listener); },
    accessChanges,
    loginThrottle: new LoginThrottle(undefined, cluster.failureLog),
    share: createShareServices({ db, events, sessions, workspaces, signals: cluster.signals, log }),
  };
}

/** The local provider's egress settings; an unlisted host waits a little longer than its approval can. */
export function egressOptions(config: Config): LocalProviderOptions['egress'] {
  return {
    pinned: config.TETHER_EGRESS_PINNED, decisionTimeoutMs: (config.TETHER_APPROVAL_TIMEOUT + 5) * 1000, opaqueHosts: config.TETHER_EGRESS_OPAQUE,
    upstreamCa: config.TETHER_EGRESS_UPSTREAM_CA ? [readFileSync(config.TETHER_EGRESS_UPSTREAM_CA, 'utf8')] : undefined,
  };
}
