// The pipeline over a log held in memory, with no database and no model: memory replayed from
// the log's memory.* events, then rule extraction, then the prompt. What `context:build` prints
// and what the context benchmark measures.
import type { ModelMessage } from 'ai';
import type { SessionEvent } from '../../sessions/event-types.ts';
import { extractFromEvents } from './extract.ts';
import { applyCandidatesInMemory } from './memory.ts';
import { buildPrompt, type BuiltPrompt } from './prompt.ts';
import { replayMemory } from './replay.ts';
import type { MemoryItemView } from './types.ts';

export interface OfflineBuild extends BuiltPrompt { memory: MemoryItemView[] }

export function memoryFromLog(events: readonly SessionEvent[]): MemoryItemView[] {
  const replayed = replayMemory(events);
  let n = 0;
  return applyCandidatesInMemory(replayed, extractFromEvents(events, replayed), () => `x${++n}`);
}

export function buildFromLog(events: readonly SessionEvent[], budgetTokens: number, toolNames: string[] = []): OfflineBuild {
  const memory = memoryFromLog(events);
  return { memory, ...buildPrompt({ events, memory, budgetTokens, toolNames }) };
}

/** The prompt as one readable text: the system part, then each message under its role. */
export function promptAsText(p: Pick<BuiltPrompt, 'system' | 'messages'>): string {
  return [`[system]\n${p.system}`, ...p.messages.map((m) => `[${m.role}]\n${messageText(m)}`)].join('\n\n');
}

function messageText(m: ModelMessage): string {
  if (typeof m.content === 'string') return m.content;
  return m.content.map((p) => {
    if (p.type === 'text') return p.text;
    if (p.type === 'tool-call') return `(calls ${p.toolName} ${JSON.stringify(p.input ?? {})})`;
    if (p.type === 'tool-result') return `(${p.toolName} result) ${'value' in p.output ? String(p.output.value) : p.output.type}`;
    return '';
  }).join('\n');
}
