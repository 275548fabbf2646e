// Token counts with a real BPE tokenizer (o200k_base, shipped inside gpt-tokenizer: no download).
// Other providers' tokenizers differ by a few percent; the reply reserve absorbs that.
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

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
