import { z } from 'zod';
import { searchText, type SearchTarget } from '../../search/text-search.ts';
import { defineTool, type AgentWorkspace } from './tool.ts';
import { workspacePath } from './paths.ts';

const DEFAULT_RESULTS = 100;
const MAX_RESULTS = 500;

const input = z.object({
  pattern: z.string().min(1).describe('Regular expression (Rust/ripgrep syntax; JavaScript-compatible patterns are safest)'),
  path: z.string().default('.').describe('Directory or file to search, relative to the workspace root'),
  glob: z.string().optional().describe('Only files matching this glob, e.g. "*.ts" or "src/**/*.py"'),
  caseSensitive: z.boolean().default(true),
  maxResults: z.number().int().min(1).max(MAX_RESULTS).default(DEFAULT_RESULTS),
});

export const search = defineTool({
  name: 'search',
  description: `Search file contents in the workspace with a regular expression. Returns "path:line:text" per match (ignored and hidden files skipped), at most maxResults (default ${DEFAULT_RESULTS}).`,
  effect: 'read',
  input,
  async run(ctx, args) {
    const root = workspacePath(args.path);
    const found = await searchText(searchTarget(ctx.workspace), { ...args, path: root, regex: true, signal: ctx.signal });
    if (!found.ok) return { ok: false, error: found.error };
    if (!found.matches.length) return { ok: true, output: `No matches for /${args.pattern}/ in ${root}.` };
    const lines = found.matches.map((m) => `${m.path}:${m.line}:${m.text}`);
    const more = found.more ? `\n(showing the first ${args.maxResults} matches; narrow the pattern, path or glob for the rest)` : '';
    return { ok: true, output: lines.join('\n') + more, detail: { engine: found.engine, matches: lines.length } };
  },
});

function searchTarget(ws: AgentWorkspace): SearchTarget {
  return {
    exec: (command, options) => ws.exec(command, options),
    readText: (p) => ws.files.readText(p).catch(() => null),
    list: (p) => ws.files.list(p),
  };
}
