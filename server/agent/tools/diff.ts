// Unified diff of one change, by jsdiff: an edit that touches several far-apart regions gets one
// hunk per region, not one hunk spanning everything between them.
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';

const CONTEXT = 3;
/**
 * Myers' diff is quadratic in the number of changed lines at worst; past this a huge rewrite is
 * shown as what it is, every old line out and every new line in, instead of stalling the agent.
 */
const DIFF_TIMEOUT_MS = 2_000;

export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = structuredPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: CONTEXT, timeout: DIFF_TIMEOUT_MS });
  if (!patch) return wholeFileDiff(path, before, after);
  return formatPatch(patch, FILE_HEADERS_ONLY).trimEnd();
}

function wholeFileDiff(path: string, before: string, after: string): string {
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  const a = lines(before);
  const b = lines(after);
  const range = (count: number) => `${count === 0 ? 0 : 1},${count}`;
  return [`--- a/${path}`, `+++ b/${path}`, `@@ -${range(a.length)} +${range(b.length)} @@`, ...a.map((l) => `-${l}`), ...b.map((l) => `+${l}`)].join('\n');
}
