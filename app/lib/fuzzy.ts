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

/** `/ _ - .` and space. */
const isSeparator = (code: number) => code === 47 || code === 95 || code === 45 || code === 46 || code === 32;
const isUpper = (code: number) => code >= 65 && code <= 90;
const isWordStart = (path: string, i: number) =>
  i === 0 || isSeparator(path.charCodeAt(i - 1)) || (isUpper(path.charCodeAt(i)) && !isUpper(path.charCodeAt(i - 1)));

const NONE = -Infinity;
// Scratch rows reused across calls: quick open scores thousands of paths per keystroke.
let prevRow = new Float64Array(256);
let row = new Float64Array(256);
let from = new Int32Array(0);

/** Null when `query` is not a subsequence of `path` (case-insensitive; spaces in the query are ignored). */
export function fuzzyMatch(query: string, path: string): FuzzyMatch | null {
  const q = query.replace(/\s+/g, '').toLowerCase();
  if (!q) return { path, score: -path.length * 0.01, positions: [] };
  const lower = path.toLowerCase();
  // Most paths fail this cheap check; only the rest pay for the scoring below.
  for (let i = 0, j = 0; i < q.length; i++, j++) {
    j = lower.indexOf(q[i]!, j);
    if (j < 0) return null;
  }
  const n = path.length;
  const nameStart = path.lastIndexOf('/') + 1;
  const bonus = (j: number) =>
    (j === 0 || path[j - 1] === '/' ? SEGMENT_START : isWordStart(path, j) ? WORD_START : 0)
    + (j >= nameStart ? IN_FILE_NAME : 0) - (j * GAP_PENALTY) / n;
  if (prevRow.length < n) { prevRow = new Float64Array(n * 2); row = new Float64Array(n * 2); }
  if (from.length < q.length * n) from = new Int32Array(q.length * n * 2);
  // row[j]: the best score of q[0..i] with q[i] at path[j]; from[i*n + j]: where q[i-1] was then.
  for (let i = 0; i < q.length; i++) {
    const c = q[i]!;
    let bestBefore = NONE;
    let bestBeforeAt = -1;
    for (let j = 0; j < n; j++) {
      // The best placement of q[i-1] before j-1 (a gap), kept as j moves right.
      if (i > 0 && j >= 2 && prevRow[j - 2]! > bestBefore) { bestBefore = prevRow[j - 2]!; bestBeforeAt = j - 2; }
      row[j] = NONE;
      if (lower[j] !== c) continue;
      if (i === 0) { row[j] = bonus(j); continue; }
      const run = j > 0 && prevRow[j - 1]! > NONE ? prevRow[j - 1]! + CONSECUTIVE : NONE;
      if (run === NONE && bestBefore === NONE) continue;
      const viaRun = run >= bestBefore;
      row[j] = (viaRun ? run : bestBefore) + bonus(j);
      from[i * n + j] = viaRun ? j - 1 : bestBeforeAt;
    }
    [prevRow, row] = [row, prevRow];
  }
  let end = -1;
  for (let j = 0; j < n; j++) if (prevRow[j]! > NONE && (end < 0 || prevRow[j]! > prevRow[end]!)) end = j;
  if (end < 0) return null;
  const score = prevRow[end]!;
  const positions = new Array<number>(q.length);
  for (let i = q.length - 1, j = end; i >= 0; j = from[i * n + j]!, i--) positions[i] = j;
  // Shorter paths win ties: `index.ts` before `src/deep/index.ts`.
  return { path, score: score - n * 0.01, positions };
}

/** The best `limit` matches of `query` among `paths`, best first. */
export function fuzzyFilter(query: string, paths: string[], limit = 50): FuzzyMatch[] {
  const out: FuzzyMatch[] = [];
  for (const p of paths) {
    const m = fuzzyMatch(query, p);
    if (m) out.push(m);
  }
  return out.sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, limit);
}
