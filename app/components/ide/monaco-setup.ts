'use client';
// Monaco from the local package, never a CDN: the editor API, every editor contribution (find and
// replace, go to line, the command palette, context menu, folding, bracket matching, multi-cursor,
// hover, suggest …), Monarch tokenizers, and the language services of TypeScript/JavaScript, JSON,
// CSS and HTML, whose workers scripts/lib/build-worker.mjs bundles into public/monaco/.
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/features/register.all.js';
import { ModuleKind, ModuleResolutionKind, ScriptTarget, JsxEmit, javascriptDefaults, typescriptDefaults } from 'monaco-editor/languages/features/typescript/register.js';
import 'monaco-editor/languages/features/json/register.js';
import 'monaco-editor/languages/features/css/register.js';
import 'monaco-editor/languages/features/html/register.js';
import 'monaco-editor/languages/definitions/typescript/register.js';
import 'monaco-editor/languages/definitions/javascript/register.js';
import 'monaco-editor/languages/definitions/css/register.js';
import 'monaco-editor/languages/definitions/scss/register.js';
import 'monaco-editor/languages/definitions/less/register.js';
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

/** Monaco's worker label → the worker that serves it (the rest get the core editor worker). */
const WORKER_FOR_LABEL: Record<string, string> = {
  typescript: 'ts', javascript: 'ts',
  json: 'json',
  css: 'css', scss: 'css', less: 'css',
  html: 'html', handlebars: 'html', razor: 'html',
};
window.MonacoEnvironment = { getWorker: (_id, label) => new Worker(`/monaco/${WORKER_FOR_LABEL[label] ?? 'editor'}.worker.js`) };

// The language service sees one file at a time, not the workspace's module graph or
// node_modules, so "cannot find module" would mark every import; those are left to the
// project's own tsc. Everything within the file (types, completion, hover) still works.
const UNRESOLVABLE_IMPORT_CODES = [2307, 2792];
for (const defaults of [typescriptDefaults, javascriptDefaults]) {
  defaults.setCompilerOptions({
    target: ScriptTarget.ESNext, module: ModuleKind.ESNext, moduleResolution: ModuleResolutionKind.NodeJs,
    jsx: JsxEmit.ReactJSX, allowJs: true, allowNonTsExtensions: true, esModuleInterop: true, strict: true,
  });
  defaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false, diagnosticCodesToIgnore: UNRESOLVABLE_IMPORT_CODES });
}

// VS Code's second key for the command palette; standalone Monaco binds only F1.
monaco.editor.addKeybindingRule({ keybinding: monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.KeyP, command: 'editor.action.quickCommand' });

loader.config({ monaco: monaco as never });

/** Monaco's language id for a path; registered languages know their extensions. */
export function languageFor(path: string): string {
  const name = path.split('/').pop() ?? path;
  if (name === 'Dockerfile') return 'dockerfile';
  const ext = name.includes('.') ? `.${name.split('.').pop()!.toLowerCase()}` : '';
  return monaco.languages.getLanguages().find((l) => l.extensions?.includes(ext))?.id ?? 'plaintext';
}

export { monaco };
