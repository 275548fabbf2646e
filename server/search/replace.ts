// Replace in files: a preview of every changed line, then an apply that writes only the files the
// person saw, each guarded by the version it had in the preview (a file changed since is refused
// with CONFLICT, never overwritten). The pattern runs in a worker with a time limit (bounded-regex.ts).
import { FileError, type FileService } from '../workspace/files.ts';
import { RegexTimeoutError, replaceLinesBounded } from './bounded-regex.ts';
import { queryRegExp, searchText, type SearchTarget, type TextQuery } from './text-search.ts';

/** Files changed by one replace at most; beyond this the preview asks for a narrower search. */
export const MAX_REPLACE_FILES = 200;
/** Changed lines shown per file in a preview. */
const MAX_PREVIEW_LINES = 50;

export type ReplaceQuery = Omit<TextQuery, 'maxResults'> & { replacement: string };

export interface FilePreview {
  path: string;
  /** The file's version (content hash) the preview was made from. */
  version: string;
  replacements: number;
  lines: { line: number; before: string; after: string }[];
}

export type PreviewResult = { ok: true; files: FilePreview[]; more: boolean } | { ok: false; error: string };

export async function previewReplace(target: SearchTarget, files: FileService, q: ReplaceQuery): Promise<PreviewResult> {
  const re = queryRegExp(q, true);
  if ('error' in re) return { ok: false, error: re.error };
  const found = await searchText(target, { ...q, maxResults: Number.MAX_SAFE_INTEGER });
  if (!found.ok) return found;
  const paths = [...new Set(found.matches.map((m) => m.path))];
  const previews: FilePreview[] = [];
  for (const path of paths.slice(0, MAX_REPLACE_FILES)) {
    const file = await files.read(path).catch(() => null);
    if (file?.kind !== 'text') continue;
    let r;
    try {
      r = await replaceLinesBounded(file.content, re.source, re.flags, q.replacement, q.regex);
    } catch (err) {
      if (err instanceof RegexTimeoutError) return { ok: false, error: err.message };
      throw err;
    }
    if (r) previews.push({ path, version: file.hash, replacements: r.replacements, lines: r.lines.slice(0, MAX_PREVIEW_LINES) });
  }
  return { ok: true, files: previews, more: found.more || paths.length > MAX_REPLACE_FILES };
}

export interface ApplyOutcome { path: string; replacements: number; error?: string }

/** Writes the previewed files; each answer says what happened to that file. */
export async function applyReplace(files: FileService, q: ReplaceQuery, targets: { path: string; version: string }[]): Promise<ApplyOutcome[] | { error: string }> {
  const re = queryRegExp(q, true);
  if ('error' in re) return { error: re.error };
  const outcomes: ApplyOutcome[] = [];
  for (const t of targets) {
    try {
      const file = await files.read(t.path);
      if (file.kind !== 'text') { outcomes.push({ path: t.path, replacements: 0, error: 'not a text file' }); continue; }
      if (file.hash !== t.version) { outcomes.push({ path: t.path, replacements: 0, error: 'changed since the preview; search again' }); continue; }
      const r = await replaceLinesBounded(file.content, re.source, re.flags, q.replacement, q.regex);
      if (!r) { outcomes.push({ path: t.path, replacements: 0 }); continue; }
      await files.write(t.path, r.text, { hash: t.version });
      outcomes.push({ path: t.path, replacements: r.replacements });
    } catch (err) {
      const changed = err instanceof FileError && err.code === 'CONFLICT';
      outcomes.push({ path: t.path, replacements: 0, error: changed ? 'changed since the preview; search again' : (err as Error).message });
    }
  }
  return outcomes;
}
