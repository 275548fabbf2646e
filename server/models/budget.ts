// The prompt budget of one model call: the context window of the smallest route that may answer
// (a fallback must not overflow where the primary would not), minus room for the reply, minus the
// tool schemas sent beside the prompt.
import type { ContextWindow } from './context-windows.ts';

/** The reply gets a quarter of a small window, at most this much of a large one. */
export const MAX_REPLY_RESERVE_TOKENS = 8_192;

export interface PromptBudget {
  /** Tokens the prompt (system + messages) may use. */
  promptTokens: number;
  /** Sent as the call's output limit, so the reply fits in what was kept for it. */
  replyTokens: number;
  contextTokens: number;
  toolSchemaTokens: number;
}

export function replyReserve(contextTokens: number): number {
  return Math.min(MAX_REPLY_RESERVE_TOKENS, Math.floor(contextTokens / 4));
}

/** Throws when the tool schemas alone leave no room: a configuration to fix, not a prompt to trim. */
export function promptBudget(window: ContextWindow, toolSchemaTokens: number): PromptBudget {
  const replyTokens = replyReserve(window.tokens);
  const promptTokens = window.tokens - replyTokens - toolSchemaTokens;
  if (promptTokens <= 0) throw new Error(`The tool schemas (${toolSchemaTokens} tokens) and the reply reserve (${replyTokens}) do not fit in a ${window.tokens}-token context window.`);
  return { promptTokens, replyTokens, contextTokens: window.tokens, toolSchemaTokens };
}
