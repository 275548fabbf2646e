// Leases: a named claim one instance holds at a time (an agent run per session), so two
// instances never do the same work. In one process a map is enough; with REDIS_URL the claim
// lives in Redis (redis-leases.ts) and expires if its holder stops renewing it (a crash).

export interface Lease {
  readonly name: string;
  /** Aborted when the lease is lost (its holder could not renew it in time): stop the work. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface Leases {
  /** The lease, or null while another holder has it. */
  acquire(name: string): Promise<Lease | null>;
  /** Who holds the lease now (an instance id), or null. */
  holder(name: string): Promise<string | null>;
}

/** Leases within one process: held until released. */
export function localLeases(instanceId: string): Leases {
  const held = new Set<string>();
  return {
    async acquire(name) {
      if (held.has(name)) return null;
      held.add(name);
      const lost = new AbortController();
      return { name, lost: lost.signal, release: async () => { held.delete(name); } };
    },
    async holder(name) { return held.has(name) ? instanceId : null; },
  };
}
