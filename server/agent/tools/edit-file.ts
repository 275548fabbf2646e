import { z } from 'zod';
import { defineTool } from './tool.ts';
import { workspacePath } from './paths.ts';
import { unifiedDiff } from './diff.ts';

export const editFile = defineTool({
  name: 'edit_file',
  description: [
    'Replace exact text in a file. oldString must match the file exactly (whitespace and indentation included, without read_file\'s line numbers)',
    'and must occur exactly once unless replaceAll is true: include enough surrounding lines to make it unique. Returns a unified diff of the change.',
  ].join(' '),
  effect: 'write',
  input: z.object({
    path: z.string().describe('Path relative to the workspace root'),
    oldString: z.string().min(1).describe('The exact text to replace'),
    newString: z.string().describe('The text to put in its place'),
    replaceAll: z.boolean().default(false).describe('Replace every occurrence instead of requiring exactly one'),
  }).refine((i) => i.oldString !== i.newString, { message: 'oldString and newString are the same: nothing would change', path: ['newString'] }),
  async run(ctx, input) {
    const rel = workspacePath(input.path);
    const before = await ctx.workspace.files.readText(rel);
    const count = occurrences(before, input.oldString);
    if (count === 0) {
      return { ok: false, error: `oldString was not found in ${rel}. Read the file again and copy the exact text, including whitespace and indentation.` };
    }
    if (count > 1 && !input.replaceAll) {
      return { ok: false, error: `oldString occurs ${count} times in ${rel}. Include more surrounding lines so it matches exactly once, or set replaceAll to change every occurrence.` };
    }
    const after = input.replaceAll ? before.split(input.oldString).join(input.newString) : replaceOnce(before, input.oldString, input.newString);
    await ctx.workspace.files.writeText(rel, after);
    const diff = unifiedDiff(rel, before, after);
    return { ok: true, output: `Edited ${rel}${count > 1 ? ` (${count} occurrences)` : ''}:\n${diff}`, detail: { path: rel, diff } };
  },
});

function occurrences(text: string, search: string): number {
  let n = 0;
  for (let i = text.indexOf(search); i !== -1; i = text.indexOf(search, i + search.length)) n++;
  return n;
}

// Not String.replace: a `$` in newString would be read as a replacement pattern.
function replaceOnce(text: string, search: string, replacement: string): string {
  const i = text.indexOf(search);
  return text.slice(0, i) + replacement + text.slice(i + search.length);
}
