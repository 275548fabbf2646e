import { z } from 'zod';
import { defineTool } from './tool.ts';
import { workspacePath } from './paths.ts';
import { unifiedDiff } from './diff.ts';

export const writeFile = defineTool({
  name: 'write_file',
  description: 'Create a file, or replace a whole file, with the given content (parent directories are created). To change part of an existing file, prefer edit_file.',
  effect: 'write',
  input: z.object({
    path: z.string().describe('Path relative to the workspace root'),
    content: z.string().describe('The complete new content of the file'),
  }),
  async run(ctx, input) {
    const rel = workspacePath(input.path);
    if (rel === '.') return { ok: false, error: 'path names the workspace root, not a file' };
    const before = await ctx.workspace.files.readText(rel).catch(() => null);
    await ctx.workspace.files.writeText(rel, input.content);
    const lines = input.content.split('\n').length;
    return {
      ok: true,
      output: `${before === null ? 'Created' : 'Overwrote'} ${rel} (${lines} lines).`,
      detail: { path: rel, diff: unifiedDiff(rel, before ?? '', input.content) },
    };
  },
});
