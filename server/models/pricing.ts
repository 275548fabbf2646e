// Estimated prices in US dollars per million tokens, matched on the model name. Self-hosted
// (compat) and unknown models are unpriced: their cost counts as 0 and is marked so.
interface Price { input: number; output: number }

const PRICES: [RegExp, Price][] = [
  [/claude-opus-4/, { input: 15, output: 75 }],
  [/claude-(sonnet-4|3-7-sonnet|3-5-sonnet)/, { input: 3, output: 15 }],
  [/claude-(haiku-4|3-5-haiku)/, { input: 0.8, output: 4 }],
  [/gpt-4o-mini/, { input: 0.15, output: 0.6 }],
  [/gpt-4o/, { input: 2.5, output: 10 }],
  [/gpt-4\.1-nano/, { input: 0.1, output: 0.4 }],
  [/gpt-4\.1-mini/, { input: 0.4, output: 1.6 }],
  [/gpt-4\.1/, { input: 2, output: 8 }],
  [/gpt-5-mini/, { input: 0.25, output: 2 }],
  [/gpt-5/, { input: 1.25, output: 10 }],
  [/^o[34]-mini/, { input: 1.1, output: 4.4 }],
];

export function priceOf(provider: string, model: string): Price | null {
  if (provider === 'compat') return null;
  return PRICES.find(([re]) => re.test(model))?.[1] ?? null;
}

export function estimateCostUsd(provider: string, model: string, inputTokens: number, outputTokens: number): number {
  const p = priceOf(provider, model);
  return p ? (inputTokens * p.input + outputTokens * p.output) / 1_000_000 : 0;
}
