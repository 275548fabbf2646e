// A task profile's network hosts bind what the agent's own commands can reach. The workspace's
// proxy cannot tell whose connection it is from a shared socket, so every command of a run under
// a profile gets the profile's own proxy socket (an EgressScope): it refuses hosts outside the
// profile, then leaves the rest to the workspace's allowlist and approvals. People's terminals
// keep the workspace's socket and rules.
import { createHash } from 'node:crypto';
import type { EgressScope } from '../../workspace/egress/proxies.ts';
import type { AgentWorkspace } from '../tools/tool.ts';
import { profileAllowsHost } from './scope.ts';
import type { RunProfile } from './spec.ts';

export function profileEgress(profile: RunProfile): EgressScope {
  const hosts = profile.spec.network.hosts;
  return {
    // One proxy per distinct name and host list, shared by the runs that have it.
    key: `profile-${createHash('sha256').update(JSON.stringify([profile.name, [...hosts].sort()])).digest('hex').slice(0, 16)}`,
    narrow: (r) => (profileAllowsHost(profile, r.host) ? null : {
      allow: false,
      by: `profile-network:${profile.name}`,
      reason: `the ${profile.name} task may not reach ${r.host} (${hosts.length ? `its hosts: ${hosts.join(', ')}` : 'it may reach no hosts'})`,
    }),
  };
}

/** The workspace as a run under this profile sees it: its commands go out through the profile's proxy. */
export function withProfileEgress(ws: AgentWorkspace, profile: RunProfile | null): AgentWorkspace {
  if (!profile) return ws;
  const egress = profileEgress(profile);
  return { ...ws, exec: (command, options) => ws.exec(command, { ...options, egress }) };
}
