// `npm start` and `npm test` run on a fresh clone before `npm ci`: the entry scripts and every
// module they load at start-up may import only Node built-ins and each other.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const scripts = path.resolve(import.meta.dirname, '..');
const ENTRY_POINTS = ['start.mjs', 'test.mjs', 'build.mjs'];
/** Static `import … from '…'` and bare `import '…'`; dynamic import() runs later and is allowed. */
const STATIC_IMPORT = /^\s*import\s+(?:[^'"()]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function staticImports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)].map((m) => m[1]!);
}

/** Every package specifier reachable from `entry` through static imports, with the file importing it. */
function packagesLoadedAtStart(entry: string): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else if (!spec.startsWith('node:')) found.push(`${path.relative(scripts, file)} imports ${spec}`);
    }
  };
  visit(path.join(scripts, entry));
  return found;
}

describe('bootstrap scripts', () => {
  it('finds static imports (the check itself works)', () => {
    expect(staticImports(path.join(scripts, 'start.mjs'))).toContain('./lib/bootstrap.mjs');
  });

  it.each(ENTRY_POINTS)('%s loads nothing from node_modules before installing it', (entry) => {
    expect(packagesLoadedAtStart(entry)).toEqual([]);
  });
});
