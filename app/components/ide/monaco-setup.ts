'use client';
// Monaco from the local package, never a CDN. Only the editor core and Monarch tokenizers for
// the languages below are bundled (syntax highlighting, no language-service workers).
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/languages/definitions/typescript/register.js';
import 'monaco-editor/languages/definitions/javascript/register.js';
import 'monaco-editor/languages/definitions/css/register.js';
import 'monaco-editor/languages/definitions/scss/register.js';
import 'monaco-editor/languages/definitions/html/register.js';
import 'monaco-editor/languages/definitions/markdown/register.js';
import 'monaco-editor/languages/definitions/python/register.js';
import 'monaco-editor/languages/definitions/shell/register.js';
import 'monaco-editor/languages/definitions/yaml/register.js';
import 'monaco-editor/languages/definitions/dockerfile/register.js';
import 'monaco-editor/languages/definitions/go/register.js';
import 'monaco-editor/languages/definitions/rust/register.js';
import 'monaco-editor/languages/definitions/java/register.js';
import 'monaco-editor/languages/definitions/sql/register.js';
import 'monaco-editor/languages/definitions/xml/register.js';
import 'monaco-editor/languages/definitions/ini/register.js';
import { loader } from '@monaco-editor/react';

declare global {
  interface Window { MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker } }
}

// Built by scripts/lib/build-worker.mjs. Only the core editor worker is needed: no language
// services are bundled, so every label gets the same worker.
window.MonacoEnvironment = { getWorker: () => new Worker('/monaco/editor.worker.js') };
loader.config({ monaco: monaco as never });

/** Monaco's language id for a path; registered languages know their extensions. */
export function languageFor(path: string): string {
  const name = path.split('/').pop() ?? path;
  if (/\.json[c5]?$/i.test(name)) return 'javascript'; // no JSON tokenizer without its worker; JS reads right
  if (name === 'Dockerfile') return 'dockerfile';
  const ext = name.includes('.') ? `.${name.split('.').pop()!.toLowerCase()}` : '';
  return monaco.languages.getLanguages().find((l) => l.extensions?.includes(ext))?.id ?? 'plaintext';
}

export { monaco };
