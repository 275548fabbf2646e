// Token counts with a real BPE tokenizer (o200k_base, shipped inside gpt-tokenizer: no download).
// Other providers' tokenizers differ by a few percent; the reply reserve absorbs that.
import { createRequire } from 'node:module';

type CountFn = (text: string) => number;
const require = createRequire(import.meta.url);
let countO200kLoaded: CountFn | null = null;
/**
 * The o200k tables cost ~75 MiB and ~0.8 s to load, more than the rest of the server's domain code
 * together, and only the agent needs them: they are loaded on the first count, not at start-up.
 */
function countO200k(text: string): number {
  countO200kLoaded ??= (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountFn }).countTokens;
  return countO200kLoaded(text);
}

export interface Tokenizer { count(text: string): number }

/** Counts repeat on every step for the same event texts; remembering them keeps a build cheap. */
const MEMO_LIMIT = 50_000;
const memo = new Map<string, number>();

export function countTokens(text: string): number {
  if (!text) return 0;
  const known = memo.get(text);
  if (known !== undefined) return known;
  const n = countO200k(text);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, n);
  return n;
}

export const o200kTokenizer: Tokenizer = { count: countTokens };
