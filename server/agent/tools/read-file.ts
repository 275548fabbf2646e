import { z } from 'zod';
import { defineTool } from './tool.ts';
import { workspacePath } from './paths.ts';

/** Lines returned per call; the model asks for the next range when it needs more. */
const MAX_LINES = 2000;
/** Longer lines are cut: minified files would otherwise fill the context. */
const MAX_LINE_CHARS = 2000;

export const readFile = defineTool({
  name: 'read_file',
  description: [
    'Read a text file from the workspace. Lines come numbered ("  12\\tcode"); the numbers are not part of the file.',
    `Returns at most ${MAX_LINES} lines per call: use startLine/endLine (1-based, inclusive) to read a range or the rest of a long file.`,
  ].join(' '),
  effect: 'read',
  input: z.object({
    path: z.string().describe('Path relative to the workspace root'),
    startLine: z.number().int().min(1).optional().describe('First line to return (1-based)'),
    endLine: z.number().int().min(1).optional().describe('Last line to return (inclusive)'),
  }),
  async run(ctx, input) {
    const rel = workspacePath(input.path);
    const text = await ctx.workspace.files.readText(rel);
    if (text.includes('\0')) return { ok: false, error: `${rel} looks like a binary file; it cannot be read as text.` };
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const start = input.startLine ?? 1;
    if (start > Math.max(lines.length, 1)) return { ok: false, error: `${rel} has ${lines.length} lines; startLine ${start} is past the end.` };
    const end = Math.min(input.endLine ?? lines.length, lines.length, start + MAX_LINES - 1);
    const width = String(end).length;
    const body = lines
      .slice(start - 1, end)
      .map((l, i) => `${String(start + i).padStart(width)}\t${l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)} [… line cut]` : l}`)
      .join('\n');
    const more = end < lines.length ? `\n(lines ${start}–${end} of ${lines.length}; read from line ${end + 1} for more)` : '';
    return { ok: true, output: (body || '(empty file)') + more, detail: { path: rel, lines: lines.length } };
  },
});
