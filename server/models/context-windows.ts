// How many tokens each route's model can take in one call. The prompt budget is derived from it
// (server/models/budget.ts), so an 8k local model gets an 8k prompt and a 200k model a large one.
// Known models come from the table below; operators name the others with TETHER_MODEL_CONTEXT_<n>
// or, on the admin page, by writing the window beside the route (`compat:my-model=32768`).
import { z } from 'zod';
import { MIN_CONTEXT_TOKENS, routeIdSchema, type Route } from './routes.ts';

/** Published context windows, matched on the model name (first match wins, so specific first). */
const KNOWN: [RegExp, number][] = [
  [/^claude-(sonnet-4|opus-4|haiku-4|3-7-sonnet|3-5-sonnet|3-5-haiku)/, 200_000],
  [/^gpt-4\.1/, 1_047_576],
  [/^gpt-4o/, 128_000],
  [/^gpt-5/, 400_000],
  [/^o[34](-mini)?/, 200_000],
  [/^qwen2\.5-coder/, 32_768],
  [/^(llama3\.[123]|llama-3\.[123])/, 128_000],
  [/^(llama3|llama-3)\b/, 8_192],
  [/^(mistral|codestral)/, 32_768],
];

/** A model nobody told us about: assume a small window, so the prompt fits rather than overflows. */
export const ASSUMED_CONTEXT_TOKENS = 8_192;

/** admin: given with the route on the admin page; setting: TETHER_MODEL_CONTEXT_<n>. */
export interface ContextWindow { tokens: number; source: 'admin' | 'setting' | 'known' | 'assumed' }

const settingSchema = z
  .string()
  .trim()
  .regex(/^\S+=\d+$/, 'expected provider:model=tokens, e.g. compat:qwen2.5-coder:7b=32768')
  .transform((v, ctx) => {
    const eq = v.lastIndexOf('=');
    const route = routeIdSchema.safeParse(v.slice(0, eq));
    const tokens = Number(v.slice(eq + 1));
    if (!route.success) ctx.addIssue({ code: 'custom', message: route.error.issues[0]!.message });
    if (tokens < MIN_CONTEXT_TOKENS) ctx.addIssue({ code: 'custom', message: `a context window under ${MIN_CONTEXT_TOKENS} tokens cannot hold a prompt` });
    return { route: route.data ?? '', tokens };
  });

export const CONTEXT_ENV_PREFIX = 'TETHER_MODEL_CONTEXT_';

/** Reads every TETHER_MODEL_CONTEXT_<n>; an error names the variable and what was wrong. */
export function contextSettingsFromEnv(env: Record<string, string | undefined>): { ok: true; settings: Map<string, number> } | { ok: false; error: string } {
  const settings = new Map<string, number>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(CONTEXT_ENV_PREFIX) || value === undefined) continue;
    const parsed = settingSchema.safeParse(value);
    if (!parsed.success) return { ok: false, error: `${name}: ${parsed.error.issues[0]!.message} (got ${JSON.stringify(value)})` };
    settings.set(parsed.data.route, parsed.data.tokens);
  }
  return { ok: true, settings };
}

export function contextWindowOf(route: Route, settings: ReadonlyMap<string, number>): ContextWindow {
  if (route.contextTokens) return { tokens: route.contextTokens, source: 'admin' };
  const set = settings.get(route.id);
  if (set) return { tokens: set, source: 'setting' };
  const known = KNOWN.find(([re]) => re.test(route.model));
  return known ? { tokens: known[1], source: 'known' } : { tokens: ASSUMED_CONTEXT_TOKENS, source: 'assumed' };
}
