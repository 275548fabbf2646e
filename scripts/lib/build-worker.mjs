// Monaco's editor worker, bundled by esbuild into public/monaco/ (Turbopack does not bundle
// `new Worker(new URL(...))` here; it copied the source file as a static asset instead).
// esbuild is imported when called, not at load: `npm start` loads this before `npm ci` has run.
import path from 'node:path';

export async function buildMonacoWorker(root) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(root, 'node_modules/monaco-editor/esm/vs/editor/editor.worker.js')],
    outfile: path.join(root, 'public/monaco/editor.worker.js'),
    bundle: true,
    format: 'iife',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}
