// The seam between the agent loop and the context pipeline (server/agent/context/): the loop
// hands over the session's events and memory, and gets back a prompt within the budget and a
// report of what it holds.
import type { SessionEvent } from '../sessions/event-types.ts';
import { buildPrompt, type BuiltPrompt } from './context/prompt.ts';
import type { MemoryItemView } from './context/types.ts';

export type { BuiltPrompt, PromptReport } from './context/prompt.ts';

export interface PromptInput {
  events: readonly SessionEvent[];
  /** Live memory of the session and its workspace. */
  memory: readonly MemoryItemView[];
  /** Names of the tools on offer, for the system prompt. */
  toolNames: string[];
  budgetTokens: number;
}

export interface PromptBuilder { build(input: PromptInput): BuiltPrompt }

export const contextPromptBuilder: PromptBuilder = {
  build: ({ events, memory, toolNames, budgetTokens }) => buildPrompt({ events, memory, toolNames, budgetTokens }),
};
