// The two sides of a unified diff's hunks, for Monaco's diff editor: context lines on both, '-'
// lines on the left, '+' lines on the right. Only the hunks are known, so hunks are separated
// by a line marking the unchanged lines left out.
export const SKIPPED = '⋯';

export function diffSides(unified: string): { original: string; modified: string } {
  const original: string[] = [];
  const modified: string[] = [];
  let hunks = 0;
  for (const line of unified.split('\n')) {
    if (line.startsWith('@@')) {
      if (hunks++ > 0) { original.push(SKIPPED); modified.push(SKIPPED); }
      continue;
    }
    // Before the first hunk: the file names; inside one, "\ No newline at end of file".
    if (!hunks || line.startsWith('\\')) continue;
    const text = line.slice(1);
    if (line.startsWith('-')) original.push(text);
    else if (line.startsWith('+')) modified.push(text);
    else { original.push(text); modified.push(text); }
  }
  return { original: original.join('\n'), modified: modified.join('\n') };
}
