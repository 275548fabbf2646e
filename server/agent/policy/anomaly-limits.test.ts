// The counting rules of the anomaly limits, on a controlled clock. The end-to-end pause of a
// real run (agent harness, stored settings, audit) is in team-policy.test.ts.
import { describe, expect, it } from 'vitest';
import type { ApprovalGate, PolicyCall, PolicyDecision, PolicyHook } from '../policy.ts';
import { runCommand } from '../tools/run-command.ts';
import type { AnyTool } from '../tools/tool.ts';
import { AnomalyLimits, ANOMALY_DECIDER, type AnomalyTrip } from './anomaly-limits.ts';
import { DEFAULT_POLICY_SETTINGS } from './rules-store.ts';

const call = (command: string, sessionId = 's1'): PolicyCall =>
  ({ sessionId, runId: 'r1', userId: 'u1', tool: runCommand as AnyTool, input: { command }, highRisk: null });

/** Decisions given in advance per command, as the engine would return them. */
function scripted(decisions: Record<string, PolicyDecision>): PolicyHook {
  return { decide: async (c) => decisions[(c.input as { command: string }).command]! };
}
const high: PolicyDecision = { decision: 'ask', risk: 'high', reason: 'recursive delete', by: 'classifier', rule: null };
const low: PolicyDecision = { decision: 'allow', risk: 'low', reason: 'reads only', by: 'classifier', rule: null };
const denied: PolicyDecision = { decision: 'deny', risk: 'medium', reason: 'rule', by: 'rule-1', rule: 'rule-1' };
const medium: PolicyDecision = { decision: 'allow', risk: 'medium', reason: 'ordinary command', by: 'default', rule: null };

function setup(o: { settings?: Partial<typeof DEFAULT_POLICY_SETTINGS> } = {}) {
  let now = 1_000_000;
  const trips: { sessionId: string; trip: AnomalyTrip }[] = [];
  const limits = new AnomalyLimits({
    settings: async () => ({ ...DEFAULT_POLICY_SETTINGS, anomalyHighRisk: 2, anomalyDenials: 3, anomalyWindowSeconds: 60, ...o.settings }),
    onTrip: async (c, trip) => { trips.push({ sessionId: c.sessionId, trip }); },
    now: () => now,
  });
  return { limits, trips, advance: (ms: number) => { now += ms; } };
}

describe('anomaly limits', () => {
  it('refuses the high-risk request past N within the window and reports one trip', async () => {
    const { limits, trips } = setup();
    const policy = limits.policy(scripted({ 'rm -rf a': high, ls: low }));
    expect((await policy.decide(call('rm -rf a'))).decision).toBe('ask');
    expect((await policy.decide(call('ls'))).decision).toBe('allow');
    expect((await policy.decide(call('rm -rf a'))).decision).toBe('ask');
    const third = await policy.decide(call('rm -rf a'));
    expect(third).toMatchObject({ decision: 'deny', risk: 'high', by: ANOMALY_DECIDER });
    expect(third.reason).toMatch(/paused: more than 2 high-risk requests or deletes within 1 minute; an admin has been notified/);
    expect(trips).toEqual([{ sessionId: 's1', trip: { kind: 'high_risk', count: 3, limit: 2, windowSeconds: 60, reason: expect.any(String) } }]);
  });

  it('forgets requests older than the window, and counts each session on its own', async () => {
    const { limits, trips, advance } = setup();
    const policy = limits.policy(scripted({ 'rm -rf a': high }));
    await policy.decide(call('rm -rf a'));
    await policy.decide(call('rm -rf a'));
    advance(61_000);
    expect((await policy.decide(call('rm -rf a'))).decision).toBe('ask');
    expect((await policy.decide(call('rm -rf a', 's2'))).decision).toBe('ask');
    expect(trips).toEqual([]);
  });

  it('forgets a session once its window has passed and nothing is denied', async () => {
    const { limits, advance } = setup();
    const policy = limits.policy(scripted({ 'rm -rf a': high, ls: low, deny: denied }));
    await policy.decide(call('rm -rf a'));
    await policy.decide(call('deny', 's2'));
    expect(limits.tracked).toBe(2);
    advance(61_000);
    await policy.decide(call('ls'));
    await policy.decide(call('ls', 's2'));
    expect(limits.tracked).toBe(0);
  });

  it('counts deletes like high-risk requests, judged on the parsed commands', async () => {
    const { limits, trips } = setup();
    const rm: PolicyDecision = { ...medium, commands: [['ls'], ['/usr/bin/rm', 'x']] };
    const findDelete: PolicyDecision = { ...medium, commands: [['find', '.', '-name', '*.log', '-delete']] };
    const gitRm: PolicyDecision = { ...medium, commands: [['git', 'rm', 'a.txt']] };
    const echo: PolicyDecision = { ...medium, commands: [['echo', 'rm', '-rf', 'x']] };
    const policy = limits.policy(scripted({ rm, findDelete, gitRm, echo }));
    expect((await policy.decide(call('echo'))).decision).toBe('allow');
    expect((await policy.decide(call('rm'))).decision).toBe('allow');
    expect((await policy.decide(call('findDelete'))).decision).toBe('allow');
    expect(trips).toEqual([]);
    expect((await policy.decide(call('gitRm'))).decision).toBe('deny');
    expect(trips.map((t) => t.trip.kind)).toEqual(['high_risk']);
  });

  it('trips on M denials in a row, by rules or by people; an allow in between resets the count', async () => {
    const { limits, trips } = setup({ settings: { anomalyHighRisk: 100 } });
    const policy = limits.policy(scripted({ deny: denied, ask: high, ok: medium }));
    const approvals = limits.approvals({ request: async () => ({ granted: false, by: 'admin-1', reason: 'denied by an admin' }) } satisfies ApprovalGate);
    await policy.decide(call('deny'));
    await policy.decide(call('deny'));
    await policy.decide(call('ok'));
    await policy.decide(call('deny'));
    const decision = await policy.decide(call('ask'));
    expect(trips).toEqual([]);
    await approvals.request({ ...call('ask'), callId: 'c1', decision }, new AbortController().signal);
    expect(trips).toEqual([]);
    await policy.decide(call('deny'));
    expect(trips.map((t) => t.trip)).toEqual([{ kind: 'denials', count: 3, limit: 3, windowSeconds: null, reason: '3 denials in a row' }]);
  });
});
