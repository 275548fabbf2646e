// Fuzzy matching for quick open, as editors do it: the query's characters appear in the path in
// order; a match scores higher where its characters start words or path segments, run together,
// and fall in the file name rather than the folders.

export interface FuzzyMatch { path: string; score: number; /** Matched character positions, for highlighting. */ positions: number[] }

const SEGMENT_START = 8;
const WORD_START = 6;
const CONSECUTIVE = 5;
const IN_FILE_NAME = 2;
/** Later matches are worth slightly less, so `ab` prefers `ab…` to `…a…b`. */
const GAP_PENALTY = 0.1;

const isWordStart = (path: string, i: number) => {
  if (i === 0) return true;
  const prev = path[i - 1]!;
  const c = path[i]!;
  return /[/_\-. ]/.test(prev) || (prev === prev.toLowerCase() && c !== c.toLowerCase());
};

/** Null when `query` is not a subsequence of `path` (case-insensitive; spaces in the query are ignored). */
export function fuzzyMatch(query: string, path: string): FuzzyMatch | null {
  const q = query.replace(/\s+/g, '').toLowerCase();
  if (!q) return { path, score: -path.length * 0.01, positions: [] };
  const lower = path.toLowerCase();
  const n = path.length;
  const nameStart = path.lastIndexOf('/') + 1;
  const bonus = (j: number) =>
    (j === 0 || path[j - 1] === '/' ? SEGMENT_START : isWordStart(path, j) ? WORD_START : 0)
    + (j >= nameStart ? IN_FILE_NAME : 0) - (j * GAP_PENALTY) / n;
  // best[i][j]: the best score of q[0..i] with q[i] at path[j]; from[i][j]: where q[i-1] was.
  const NONE = -Infinity;
  let prev: number[] = [];
  const from: Int32Array[] = [];
  for (let i = 0; i < q.length; i++) {
    const row = new Array<number>(n).fill(NONE);
    const back = new Int32Array(n).fill(-1);
    let bestBefore = NONE;
    let bestBeforeAt = -1;
    for (let j = 0; j < n; j++) {
      // The best placement of q[i-1] strictly before j-1 (a gap), kept as j moves right.
      if (i > 0 && j >= 2 && prev[j - 2]! > bestBefore) { bestBefore = prev[j - 2]!; bestBeforeAt = j - 2; }
      if (lower[j] !== q[i]) continue;
      if (i === 0) { row[j] = bonus(j); continue; }
      const run = j > 0 && prev[j - 1]! > NONE ? prev[j - 1]! + CONSECUTIVE : NONE;
      if (run === NONE && bestBefore === NONE) continue;
      if (run >= bestBefore) { row[j] = run + bonus(j); back[j] = j - 1; } else { row[j] = bestBefore + bonus(j); back[j] = bestBeforeAt; }
    }
    from.push(back);
    prev = row;
  }
  let end = -1;
  for (let j = 0; j < n; j++) if (prev[j]! > NONE && (end < 0 || prev[j]! > prev[end]!)) end = j;
  if (end < 0) return null;
  const positions: number[] = [];
  for (let i = q.length - 1, j = end; i >= 0; j = from[i]![j]!, i--) positions.unshift(j);
  // Shorter paths win ties: `index.ts` before `src/deep/index.ts`.
  return { path, score: prev[end]! - n * 0.01, positions };
}

/** The best `limit` matches of `query` among `paths`, best first. */
export function fuzzyFilter(query: string, paths: string[], limit = 50): FuzzyMatch[] {
  const out: FuzzyMatch[] = [];
  for (const p of paths) {
    const m = fuzzyMatch(query, p);
    if (m) out.push(m);
  }
  return out.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path)).slice(0, limit);
}
