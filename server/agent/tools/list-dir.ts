import { z } from 'zod';
import { defineTool, type DirEntry } from './tool.ts';
import { workspacePath } from './paths.ts';

const MAX_ENTRIES = 1000;
/** Listed but never descended into: large and rarely what the model is looking for. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.next', 'dist', 'build', '__pycache__', '.venv', 'target']);

export const listDir = defineTool({
  name: 'list_dir',
  description: `List a directory of the workspace (directories end with "/"). depth > 1 lists subdirectories too, indented; .git, node_modules and build output are not descended into. At most ${MAX_ENTRIES} entries.`,
  effect: 'read',
  input: z.object({
    path: z.string().default('.').describe('Directory relative to the workspace root'),
    depth: z.number().int().min(1).max(5).default(1),
  }),
  async run(ctx, input) {
    const root = workspacePath(input.path);
    const lines: string[] = [];
    let cut = false;
    const walk = async (dir: string, level: number): Promise<void> => {
      const entries = [...(await ctx.workspace.files.list(dir))].sort(byKindThenName);
      for (const e of entries) {
        if (lines.length >= MAX_ENTRIES) { cut = true; return; }
        const isDir = e.kind === 'dir';
        lines.push(`${'  '.repeat(level)}${e.name}${isDir ? '/' : e.kind === 'symlink' ? ' ->' : ''}`);
        if (isDir && level + 1 < input.depth && !SKIP_DIRS.has(e.name)) await walk(dir === '.' ? e.name : `${dir}/${e.name}`, level + 1);
      }
    };
    await walk(root, 0);
    if (!lines.length) return { ok: true, output: `${root} is empty.` };
    return { ok: true, output: lines.join('\n') + (cut ? `\n(stopped at ${MAX_ENTRIES} entries; list a subdirectory)` : '') };
  },
});

function byKindThenName(a: DirEntry, b: DirEntry): number {
  if ((a.kind === 'dir') !== (b.kind === 'dir')) return a.kind === 'dir' ? -1 : 1;
  return a.name.localeCompare(b.name);
}
