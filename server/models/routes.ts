// A route is one provider:model pair; the router tries an ordered list of them.
import { z } from 'zod';

export const providerNames = ['anthropic', 'openai', 'compat'] as const;
export type ProviderName = (typeof providerNames)[number];

export interface Route { id: string; provider: ProviderName; model: string }

export const routeIdSchema = z
  .string()
  .trim()
  .regex(/^(anthropic|openai|compat):\S+$/, 'expected provider:model with provider anthropic, openai or compat');

export function parseRoute(id: string): Route {
  const clean = routeIdSchema.parse(id);
  const colon = clean.indexOf(':');
  return { id: clean, provider: clean.slice(0, colon) as ProviderName, model: clean.slice(colon + 1) };
}

/** `TETHER_MODELS`: comma-separated, primary first. Throws a ZodError naming the bad entry. */
export function parseRouteList(list: string | undefined): Route[] {
  if (!list?.trim()) return [];
  return list.split(',').map((s) => s.trim()).filter(Boolean).map(parseRoute);
}
