// A route is one provider:model pair; the router tries an ordered list of them.
import { z } from 'zod';

export const providerNames = ['anthropic', 'openai', 'compat'] as const;
export type ProviderName = (typeof providerNames)[number];

export interface Route {
  id: string;
  provider: ProviderName;
  model: string;
  /** A context window given with the route (`provider:model=tokens`), for a model the table does not know. */
  contextTokens?: number;
}

export const routeIdSchema = z
  .string()
  .trim()
  .regex(/^(anthropic|openai|compat):\S+$/, 'expected provider:model with provider anthropic, openai or compat');

/** The smallest context window that can hold a prompt next to its reply reserve and tool schemas. */
export const MIN_CONTEXT_TOKENS = 4096;

/** One entry of a route list: `provider:model`, optionally `=tokens` of context window. */
export const routeEntrySchema = z
  .string()
  .trim()
  .regex(/^(anthropic|openai|compat):[^\s=]+(=\d+)?$/, 'expected provider:model (optionally =context tokens) with provider anthropic, openai or compat')
  .refine((v) => !v.includes('=') || Number(v.slice(v.indexOf('=') + 1)) >= MIN_CONTEXT_TOKENS, `a context window under ${MIN_CONTEXT_TOKENS} tokens cannot hold a prompt`);

export function parseRoute(entry: string): Route {
  const clean = routeEntrySchema.parse(entry);
  const [id, tokens] = clean.split('=') as [string, string?];
  const colon = id.indexOf(':');
  return { id, provider: id.slice(0, colon) as ProviderName, model: id.slice(colon + 1), ...(tokens ? { contextTokens: Number(tokens) } : {}) };
}

/** How a route is written in a list (and stored): with its context window when one was given. */
export function routeEntry(r: Route): string {
  return r.contextTokens ? `${r.id}=${r.contextTokens}` : r.id;
}

/** `TETHER_MODELS`: comma-separated, primary first. Throws a ZodError naming the bad entry. */
export function parseRouteList(list: string | undefined): Route[] {
  if (!list?.trim()) return [];
  return list.split(',').map((s) => s.trim()).filter(Boolean).map(parseRoute);
}
