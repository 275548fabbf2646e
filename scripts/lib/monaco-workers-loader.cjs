/* global module -- a CommonJS module (see below) */
// A Turbopack loader for monaco-editor's language worker managers (TypeScript, JSON, CSS, HTML).
// Each names its worker as `createWorker: () => new Worker(new URL('x.worker.js', import.meta.url))`,
// a fallback Monaco uses only without `MonacoEnvironment.getWorker`. Ours always has one (the
// workers scripts/lib/build-worker.mjs puts in public/monaco/), but Turbopack would still bundle a
// second, never-loaded copy of every worker — 6.6 MB of TypeScript compiler whose text trips the
// artifact guard. CommonJS because Turbopack runs loaders with require() on Node 20.
const BUNDLED_WORKER = /createWorker: \(\) => new Worker\(new URL\('[\w.]+\.worker\.js', import\.meta\.url\), \{ type: "module" \}\),\s*/;

module.exports = function dropBundledWorker(source) {
  const out = source.replace(BUNDLED_WORKER, '');
  if (out.includes('new Worker(new URL(')) {
    throw new Error(`monaco-workers-loader: ${this.resourcePath} names its worker in a way this loader does not know; update BUNDLED_WORKER`);
  }
  return out;
};
