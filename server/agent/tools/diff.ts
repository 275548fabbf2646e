// Unified diff of one edit. Edits change one contiguous region (or a few, for replaceAll), so
// trimming the common head and tail gives a correct single hunk without a general diff
// algorithm; it is coarser than a minimal diff only when several far-apart regions change.
const CONTEXT = 3;

export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.max(0, head - CONTEXT);
  const aEnd = Math.min(a.length, a.length - tail + CONTEXT);
  const bEnd = Math.min(b.length, b.length - tail + CONTEXT);
  const lines = [
    ...a.slice(from, head).map((l) => ` ${l}`),
    ...a.slice(head, a.length - tail).map((l) => `-${l}`),
    ...b.slice(head, b.length - tail).map((l) => `+${l}`),
    ...a.slice(a.length - tail, aEnd).map((l) => ` ${l}`),
  ];
  const range = (start: number, count: number) => `${count === 0 ? start : start + 1},${count}`;
  return [`--- a/${path}`, `+++ b/${path}`, `@@ -${range(from, aEnd - from)} +${range(from, bEnd - from)} @@`, ...lines].join('\n');
}
