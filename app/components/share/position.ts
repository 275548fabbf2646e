// Where the scrubber stands, in terms the server's file replay understands: the files after
// event N are those of the first checkpoint at or after N (server/share/replay.ts), so every
// position between two checkpoints shows the same files and needs only one request.
import type { SessionEvent } from '../../../server/realtime/protocol.ts';

/** Seqs of the checkpoint events, ascending (events arrive in seq order). */
export const checkpointSeqs = (events: SessionEvent[]) => events.filter((e) => e.type === 'agent.checkpoint').map((e) => e.seq);

/** The checkpoint that holds the files after event `position`, or null: the workspace as it is now. */
export function checkpointFor(checkpoints: number[], position: number): number | null {
  let lo = 0;
  let hi = checkpoints.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (checkpoints[mid]! < position) lo = mid + 1;
    else hi = mid;
  }
  return lo < checkpoints.length ? checkpoints[lo]! : null;
}

/** Events after the last checkpoint that may have changed files: the live view re-reads when this grows. */
export const liveChanges = (events: SessionEvent[], lastCheckpoint: number) =>
  events.filter((e) => e.seq > lastCheckpoint && (e.type === 'agent.tool.result' || e.type === 'file.changed' || e.type === 'terminal.command' || e.type === 'agent.rewind')).length;
