// A person asked to approve a publish sees the latest release check of the workspace (or that
// none was run): the gate is wrapped so the approval's detail carries it.
import type { Db } from '../db/client.ts';
import type { ApprovalGate } from '../agent/policy.ts';
import { latestReleaseCheck } from './record.ts';

/** Package managers whose `publish` (or equivalent) uploads a release. */
const PUBLISH_VERBS: Record<string, string[]> = {
  npm: ['publish'], pnpm: ['publish'], yarn: ['publish', 'npm'], bun: ['publish'], cargo: ['publish'], twine: ['upload'], gem: ['push'], poetry: ['publish'], uv: ['publish'],
};

/** Whether any parsed command publishes (its first non-option argument is the publishing verb). */
export function publishes(commands: string[][]): boolean {
  return commands.some((argv) => {
    const verbs = PUBLISH_VERBS[argv[0]?.split('/').at(-1) ?? ''];
    if (!verbs) return false;
    // Options before the verb may take values (`npm --tag beta publish`), so look at every word.
    return argv.slice(1).some((a) => verbs.includes(a));
  });
}

export function withLatestReleaseCheck(gate: ApprovalGate, db: Pick<Db, 'event'>): ApprovalGate {
  return {
    async request(call, signal) {
      if (!publishes(call.decision.commands ?? [])) return gate.request(call, signal);
      const releaseCheck = await latestReleaseCheck(db, call.sessionId);
      return gate.request({ ...call, decision: { ...call.decision, releaseCheck } }, signal);
    },
  };
}
