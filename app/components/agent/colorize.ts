'use client';
// Code blocks in model replies, coloured by Monaco's own tokenizers. Loaded with import() from
// Markdown.tsx, so the agent panel renders first and pulls the editor only for a code block.
import { monaco } from '../ide/monaco-setup.ts';

/** Monaco's language for a fence's tag: an id (`typescript`), an alias (`ts`, `sh`) or an extension (`yml`). */
function languageOf(tag: string): string | null {
  const t = tag.toLowerCase();
  const found = monaco.languages.getLanguages().find((l) =>
    l.id === t || l.aliases?.some((a) => a.toLowerCase() === t) || l.extensions?.includes(`.${t}`));
  return found?.id ?? null;
}

/**
 * HTML for `code` in the theme the page shows, or null for an unknown language. Monaco builds it
 * from the text through its line renderer, which escapes `<` and `&`, so the model's text stays text.
 */
export async function colorizeCode(code: string, tag: string, dark: boolean): Promise<string | null> {
  const lang = languageOf(tag);
  if (!lang) return null;
  // The colours are the theme's CSS classes; the editor sets the same theme when it opens.
  monaco.editor.setTheme(dark ? 'vs-dark' : 'vs');
  return monaco.editor.colorize(code, lang, { tabSize: 2 });
}
