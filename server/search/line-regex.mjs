// Matching and replacing a person's regular expression line by line. Plain JavaScript with JSDoc
// types because it runs in a worker thread (regex-worker.mjs), where a pattern that backtracks
// for minutes can be stopped without stopping the server.

/**
 * @typedef {object} LineMatches
 * @property {number} line 1-based.
 * @property {string} text The line, without its line ending.
 * @property {[number, number][]} ranges [start, end) of each non-empty match.
 */

/**
 * @typedef {object} ReplacedText
 * @property {string} text
 * @property {number} replacements
 * @property {{ line: number; before: string; after: string }[]} lines Only the lines that changed.
 */

/**
 * Every line with at least one match; an empty match (`^`, `$`) still makes a line match.
 * @param {string} text @param {string} source @param {string} flags
 * @returns {LineMatches[]}
 */
export function matchLines(text, source, flags) {
  const re = new RegExp(source, flags);
  /** @type {LineMatches[]} */
  const out = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const found = [...line.matchAll(re)];
    if (!found.length) return;
    out.push({ line: i + 1, text: line, ranges: found.filter((m) => m[0].length > 0).map((m) => [m.index, m.index + m[0].length]) });
  });
  return out;
}

/**
 * The new text and what changed, or null when nothing matches. Lines are replaced one at a time,
 * as ripgrep matches them. Regex mode reads `$1`, `$<name>` and `$&` in the replacement; literal
 * mode keeps it as typed.
 * @param {string} text @param {string} source @param {string} flags
 * @param {string} replacement @param {boolean} regex
 * @returns {ReplacedText | null}
 */
export function replaceLines(text, source, flags, replacement, regex) {
  const re = new RegExp(source, flags);
  let replacements = 0;
  /** @type {ReplacedText['lines']} */
  const changed = [];
  const out = text.split('\n').map((raw, i) => {
    const cr = raw.endsWith('\r') ? '\r' : '';
    const line = cr ? raw.slice(0, -1) : raw;
    const count = [...line.matchAll(re)].length;
    if (!count) return raw;
    replacements += count;
    const next = regex ? line.replace(re, replacement) : line.replace(re, () => replacement);
    if (next !== line) changed.push({ line: i + 1, before: line, after: next });
    return next + cr;
  });
  return replacements ? { text: out.join('\n'), replacements, lines: changed } : null;
}
