// A session's events as JSON Lines, one stored SessionEvent per line in seq order: the shape
// `npm run context:build -- --events FILE.jsonl` reads, so a session can be replayed offline.
import type { Db } from '../db/client.ts';
import { listEvents } from './events.ts';

const PAGE = 1000;

export async function eventsAsJsonl(db: Db, sessionId: string): Promise<string> {
  const lines: string[] = [];
  for (let after = 0; ;) {
    const page = await listEvents(db, sessionId, after, PAGE);
    for (const e of page) lines.push(JSON.stringify(e));
    if (page.length < PAGE) break;
    after = page.at(-1)!.seq;
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
