// Wires a real AgentService for tests: a migrated database, the event stream, the real model
// router pointed at the scripted model server, and a workspace per session.
import pino from 'pino';
import { AgentService, type AgentServiceOptions } from '../../server/agent/service.ts';
import { generateFromStream } from '../../server/agent/context/extract-model.ts';
import type { AgentDelta } from '../../server/agent/loop.ts';
import type { AgentWorkspace } from '../../server/agent/tools/tool.ts';
import type { ApprovalGate } from '../../server/agent/policy.ts';
import { UsageMeter, type QuotaLimits } from '../../server/models/metering.ts';
import { ModelRouter } from '../../server/models/router.ts';
import { parseRouteList } from '../../server/models/routes.ts';
import type { Cluster } from '../../server/scale/cluster.ts';
import { createLocalBus } from '../../server/sessions/bus.ts';
import { listEvents } from '../../server/sessions/events.ts';
import type { SessionEvent } from '../../server/sessions/event-types.ts';
import { createEventStream, type EventStream } from '../../server/sessions/stream.ts';
import type { TestDb } from './db.ts';
import type { ScriptedModelServer } from './scripted-model-server.ts';

export const silent = pino({ level: 'silent' });
export const noLimits: QuotaLimits = { userDailyTokens: 0, userDailyUsd: 0, teamDailyTokens: 0, teamDailyUsd: 0, runTokens: 0, runUsd: 0 };

export interface AgentHarness {
  service: AgentService;
  events: EventStream;
  router: ModelRouter;
  meter: UsageMeter;
  deltas: AgentDelta[];
}

export function agentHarness(t: TestDb, server: ScriptedModelServer, o: {
  routes?: string;
  workspaces: Map<string, AgentWorkspace>;
  limits?: Partial<QuotaLimits>;
  credentials?: boolean;
  /** Built over the harness's own event stream, so the gate and the loop share one. */
  approvals?: ApprovalGate | ((events: EventStream) => ApprovalGate);
  /** Context windows by route id, as TETHER_MODEL_CONTEXT_<n> would set them. */
  contextSettings?: ReadonlyMap<string, number>;
  /** Model extraction on the extraction task's routes, as TETHER_MODELS_EXTRACTION turns it on. */
  extraction?: boolean;
  /** What this "instance" shares with others (tests of several instances); in process by default. */
  cluster?: Pick<Cluster, 'bus' | 'leases' | 'signals'>;
} & Partial<Pick<AgentServiceOptions, 'maxSteps' | 'policy'>>): AgentHarness {
  const events = createEventStream(t.db, o.cluster?.bus ?? createLocalBus());
  const meter = new UsageMeter(t.db, { ...noLimits, ...o.limits });
  const key = 'sk-scripted-test-key';
  const router = new ModelRouter({
    credentials: o.credentials === false ? {} : { openaiApiKey: key, openaiBaseUrl: server.baseUrl, anthropicApiKey: key, anthropicBaseUrl: server.baseUrl },
    routes: { routes: async () => ({ routes: parseRouteList(o.routes ?? 'openai:m'), source: 'environment' }) },
    log: silent,
    meter,
    firstTokenTimeoutMs: 5000,
    contextSettings: o.contextSettings,
  });
  const deltas: AgentDelta[] = [];
  const service = new AgentService({
    db: t.db, events, router, meter, log: silent,
    workspaces: async (id) => o.workspaces.get(id) ?? null,
    onDelta: (d) => deltas.push(d),
    maxSteps: o.maxSteps,
    policy: o.policy,
    approvals: typeof o.approvals === 'function' ? o.approvals(events) : o.approvals,
    extraction: o.extraction ? generateFromStream((req) => router.stream({ ...req, task: 'extraction' })) : undefined,
    leases: o.cluster?.leases,
    signals: o.cluster?.signals,
  });
  return { service, events, router, meter, deltas };
}

export async function seedSession(t: TestDb) {
  const team = await t.db.team.create({ data: { name: 't' } });
  const user = await t.db.user.create({ data: { email: `u${Math.random()}@x.test`, name: 'u' } });
  const session = await t.db.session.create({ data: { title: 's', teamId: team.id, ownerId: user.id } });
  return { sessionId: session.id, userId: user.id, teamId: team.id };
}

export async function eventsOf(t: TestDb, sessionId: string): Promise<SessionEvent[]> {
  return listEvents(t.db, sessionId, 0, 10_000);
}

export const typesOf = (events: SessionEvent[]) => events.map((e) => e.type);
export const payloadsOf = <T>(events: SessionEvent[], type: string) => events.filter((e) => e.type === type).map((e) => e.payload as T);
