// Server idle memory: the Kubernetes client (a few MiB of generated API code) must load only when
// the kubernetes provider is chosen. Only cluster.ts may import it at run time, and only with a
// dynamic import; everything else takes types alone, and main.ts imports the provider lazily.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(import.meta.dirname, '../..');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (/\.(ts|mts|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name) && e.name !== 'stub-api-server.ts') out.push(p);
  }
  return out;
}

describe('@kubernetes/client-node is loaded only by the kubernetes provider, on first use', () => {
  it('is imported at run time by cluster.ts alone, dynamically', async () => {
    const runtime: string[] = [];
    for (const file of await sources(SERVER)) {
      const text = await fs.readFile(file, 'utf8');
      // `import type … from` and `import(…)` aside, any mention in an import is a load at start-up.
      const staticImports = [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'@kubernetes\/client-node'/gm)];
      if (staticImports.length > 0) runtime.push(path.relative(SERVER, file));
      if (text.includes("import('@kubernetes/client-node')")) runtime.push(`${path.relative(SERVER, file)} (dynamic)`);
    }
    expect(runtime).toEqual(['workspace/kubernetes/cluster.ts (dynamic)']);
  });

  it('main.ts imports the provider only when it is chosen', async () => {
    const main = await fs.readFile(path.join(SERVER, 'main.ts'), 'utf8');
    expect(main).not.toMatch(/^import[^;]*kubernetes\/provider/m);
    expect(main).toContain("import('./workspace/kubernetes/provider.ts')");
  });
});
