// A simple budgeted prompt builder. The context-pipeline issue replaces it behind the same
// interface (memory, file excerpts, a prompt inspector); this one keeps the most recent runs
// and blanks old tool outputs first — the cheap tier — when the budget is tight.
import type { ModelMessage } from 'ai';
import type { SessionEvent } from '../sessions/event-types.ts';
import { projectRuns } from './projection.ts';
import { UNTRUSTED_RULE } from './untrusted.ts';

export interface PromptInput {
  events: readonly SessionEvent[];
  /** Names of the tools on offer, for the system prompt. */
  toolNames: string[];
  budgetTokens: number;
}

export interface PromptReport {
  estimatedTokens: number;
  runsIncluded: number;
  runsDropped: number;
  toolOutputsMasked: number;
}

export interface BuiltPrompt { system: string; messages: ModelMessage[]; report: PromptReport }

export interface PromptBuilder { build(input: PromptInput): BuiltPrompt }

/** Rough and provider-neutral: about four characters per token for code and English. */
const CHARS_PER_TOKEN = 4;
/** Tool outputs in this many most recent runs are never masked. */
const PROTECTED_RUNS = 1;

const SYSTEM = (tools: string[]) => [
  'You are Tether\'s coding agent, working in the user\'s project at /workspace inside a sandbox.',
  `Use the tools (${tools.join(', ')}) to inspect and change the project; paths are relative to the workspace root.`,
  'Read before you edit, make focused changes, run the tests when you change code, and finish with a short report of what you did.',
  UNTRUSTED_RULE,
].join('\n');

export const simplePromptBuilder: PromptBuilder = {
  build({ events, toolNames, budgetTokens }) {
    const system = SYSTEM(toolNames);
    const runs = projectRuns(events);
    const cost = (m: ModelMessage) => Math.ceil(chars(m) / CHARS_PER_TOKEN);
    let total = Math.ceil(system.length / CHARS_PER_TOKEN) + runs.reduce((n, r) => n + r.messages.reduce((k, m) => k + cost(m), 0), 0);
    let masked = 0;

    for (const run of runs.slice(0, Math.max(0, runs.length - PROTECTED_RUNS))) {
      if (total <= budgetTokens) break;
      run.messages = run.messages.map((m) => {
        if (m.role !== 'tool') return m;
        const before = cost(m);
        const content = m.content.map((p) => (p.type === 'tool-result' && p.output.type !== 'error-text'
          ? ((masked++), { ...p, output: { type: 'text' as const, value: '[old tool output omitted to save space]' } })
          : p));
        const next = { ...m, content };
        total -= before - cost(next);
        return next;
      });
    }
    let dropped = 0;
    while (total > budgetTokens && runs.length - dropped > 1) {
      total -= runs[dropped]!.messages.reduce((k, m) => k + cost(m), 0);
      dropped++;
    }
    const kept = runs.slice(dropped);
    return {
      system,
      messages: kept.flatMap((r) => r.messages),
      report: { estimatedTokens: total, runsIncluded: kept.length, runsDropped: dropped, toolOutputsMasked: masked },
    };
  },
};

/** Until a real tokenizer counts them: the same rough rule the builder uses. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Characters of a message's content, without serialising it: this runs on every step. */
function chars(m: ModelMessage): number {
  if (typeof m.content === 'string') return m.content.length;
  let n = 0;
  for (const p of m.content) {
    if (p.type === 'text') n += p.text.length;
    else if (p.type === 'tool-call') n += p.toolName.length + JSON.stringify(p.input ?? null).length;
    else if (p.type === 'tool-result' && 'value' in p.output) {
      n += p.toolName.length + (typeof p.output.value === 'string' ? p.output.value.length : JSON.stringify(p.output.value).length);
    }
  }
  return n;
}
