// The server compiled to plain JavaScript, so production runs it without a TypeScript loader:
// `--import tsx` cost ~35 MiB of RSS (its loader thread and esbuild) and ~1 s of start-up
// (docs/benchmarks.md, issue 12). One output file per source file, not a bundle: modules keep
// their own `import.meta.url`, and SERVER_OUT sits beside server/, so paths built from it
// (`..` to the project root, `../../scripts/…`) and the files next to a module (the spawner,
// the workspace host program, templates) resolve the same as from the sources.
// esbuild is imported when called, not at load: `npm start` loads this before `npm ci` has run.
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export const SERVER_OUT = 'server-dist';

/** The workspace templates are files for workspaces, copied exactly as they are (their tests and TypeScript included). */
const template = (rel) => rel.startsWith(`workspace${path.sep}templates${path.sep}`);
/** Sources compiled: not the tests, not the templates. */
const compiled = (rel) => rel.endsWith('.ts') && !rel.endsWith('.test.ts') && !template(rel);
const copied = (rel) => template(rel) || (!rel.endsWith('.ts') && !rel.includes('__snapshots__') && !/\.test\.m?js$/.test(rel));

/** `out` must be a directory of the project root, like server/ (see above); tests build elsewhere. */
export async function buildServer(root, out = path.join(root, SERVER_OUT)) {
  const { build } = await import('esbuild');
  const src = path.join(root, 'server');
  const files = readdirSync(src, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(src, path.join(e.parentPath, e.name)));
  rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: files.filter(compiled).map((f) => path.join(src, f)),
    outdir: out,
    outbase: src,
    // Bundling with every import left external emits each module on its own, with its relative
    // `.ts` imports renamed to the `.js` files emitted beside it (a plain transform keeps `.ts`).
    bundle: true,
    packages: 'external',
    plugins: [{
      name: 'relative-imports-stay-modules',
      setup(b) {
        b.onResolve({ filter: /^\.\.?\// }, (a) => ({ path: a.path.replace(/\.ts$/, '.js'), external: true }));
      },
    }],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: false,
    logLevel: 'warning',
  });
  for (const f of files.filter(copied)) cpSync(path.join(src, f), path.join(out, f));
}
