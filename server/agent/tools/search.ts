import { z } from 'zod';
import { defineTool, type ToolContext } from './tool.ts';
import { workspacePath } from './paths.ts';

const DEFAULT_RESULTS = 100;
const MAX_RESULTS = 500;
const SEARCH_TIMEOUT_MS = 30_000;
/** The JS fallback skips files larger than this (ripgrep has its own binary detection). */
const FALLBACK_MAX_FILE_BYTES = 1_000_000;
const FALLBACK_SKIP_DIRS = new Set(['.git', 'node_modules', '.next', 'dist', 'build', '__pycache__', '.venv', 'target']);
/** Exit status of a shell that could not find the program. */
const COMMAND_NOT_FOUND = 127;

const input = z.object({
  pattern: z.string().min(1).describe('Regular expression (Rust/ripgrep syntax; JavaScript-compatible patterns are safest)'),
  path: z.string().default('.').describe('Directory or file to search, relative to the workspace root'),
  glob: z.string().optional().describe('Only files matching this glob, e.g. "*.ts" or "src/**/*.py"'),
  caseSensitive: z.boolean().default(true),
  maxResults: z.number().int().min(1).max(MAX_RESULTS).default(DEFAULT_RESULTS),
});
type Input = z.output<typeof input>;

export const search = defineTool({
  name: 'search',
  description: `Search file contents in the workspace with a regular expression. Returns "path:line:text" per match (ignored and hidden files skipped), at most maxResults (default ${DEFAULT_RESULTS}).`,
  effect: 'read',
  input,
  async run(ctx, args) {
    const root = workspacePath(args.path);
    const rg = await ripgrep(ctx, args, root);
    const found = rg ?? await jsSearch(ctx, args, root);
    if ('error' in found) return { ok: false, error: found.error };
    if (!found.lines.length) return { ok: true, output: `No matches for /${args.pattern}/ in ${root}.` };
    const more = found.more ? `\n(showing the first ${args.maxResults} matches; narrow the pattern, path or glob for the rest)` : '';
    return { ok: true, output: found.lines.join('\n') + more, detail: { engine: rg ? 'ripgrep' : 'js', matches: found.lines.length } };
  },
});

type Found = { lines: string[]; more: boolean } | { error: string };

/** Null when ripgrep is not installed: the caller falls back to the JS search. */
async function ripgrep(ctx: ToolContext, args: Input, root: string): Promise<Found | null> {
  const argv = ['rg', '--line-number', '--no-heading', '--color', 'never', '--max-columns', '300', '--max-columns-preview'];
  if (!args.caseSensitive) argv.push('--ignore-case');
  if (args.glob) argv.push('--glob', args.glob);
  argv.push('--regexp', args.pattern, '--', root);
  const r = await ctx.workspace.exec(argv, { timeoutMs: SEARCH_TIMEOUT_MS, maxOutputBytes: 2_000_000, signal: ctx.signal });
  if (r.exitCode === COMMAND_NOT_FOUND || /rg: (command )?not found|No such file or directory.*\brg\b/.test(r.stderr)) return null;
  if (r.timedOut) return { error: `search timed out after ${SEARCH_TIMEOUT_MS / 1000} s; narrow the path or glob` };
  if (r.exitCode === 1) return { lines: [], more: false };
  if (r.exitCode !== 0) return { error: `search failed: ${r.stderr.trim() || `exit ${r.exitCode}`}` };
  const all = r.stdout.split('\n').filter(Boolean).map((l) => (l.startsWith('./') ? l.slice(2) : l));
  return { lines: all.slice(0, args.maxResults), more: all.length > args.maxResults };
}

async function jsSearch(ctx: ToolContext, args: Input, root: string): Promise<Found> {
  let re: RegExp;
  try {
    re = new RegExp(args.pattern, args.caseSensitive ? '' : 'i');
  } catch (err) {
    return { error: `invalid regular expression: ${(err as Error).message}` };
  }
  const globRe = args.glob ? globToRegExp(args.glob) : null;
  const lines: string[] = [];
  let more = false;
  const visitFile = async (file: string, size: number) => {
    if (size > FALLBACK_MAX_FILE_BYTES) return;
    if (globRe && !globRe.test(file) && !globRe.test(file.split('/').pop() ?? '')) return;
    const text = await ctx.workspace.files.readText(file).catch(() => null);
    if (text === null || text.includes('\0')) return;
    text.split('\n').forEach((line, i) => {
      if (!re.test(line)) return;
      if (lines.length >= args.maxResults) { more = true; return; }
      lines.push(`${file}:${i + 1}:${line.slice(0, 300)}`);
    });
  };
  const walk = async (dir: string): Promise<void> => {
    for (const e of await ctx.workspace.files.list(dir)) {
      if (more || ctx.signal.aborted) return;
      if (e.name.startsWith('.') && e.name !== '.') continue;
      const p = dir === '.' ? e.name : `${dir}/${e.name}`;
      if (e.kind === 'dir' && !FALLBACK_SKIP_DIRS.has(e.name)) await walk(p);
      else if (e.kind === 'file') await visitFile(p, e.size);
    }
  };
  const entries = await ctx.workspace.files.list(root).catch(() => null);
  if (entries) await walk(root);
  else await visitFile(root, 0);
  return { lines, more };
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; if (glob[i + 1] === '/') i++; }
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
