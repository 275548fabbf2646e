import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerignoreFilter, scanArtifacts } from './artifacts.mjs';

let root: string;
const put = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
};
// Assembled at run time so this test file itself carries no key-shaped text.
const pem = ['-----BEGIN', 'RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'].join(' ');

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tether-artifacts-'));
  put('.dockerignore', '**\n!package.json\n!server/**\n**/*.test.ts\n');
  put('package.json', '{}');
  put('server/main.ts', 'export {};');
  put('server/main.test.ts', 'ignored by .dockerignore');
  put('.next/BUILD_ID', 'abc');
  put('.next/static/chunks/app.js', 'console.log(1)');
  put('.next/cache/webpack/x.map', 'cache is not shipped');
  put('notes/private.txt', 'ignored by .dockerignore');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('check:artifacts', () => {
  it('passes a clean build and context', () => {
    expect(scanArtifacts(root)).toEqual([]);
  });

  it('catches a planted source map and its reference', () => {
    put('.next/static/chunks/app.js', 'console.log(1)\n//# sourceMappingURL=app.js.map');
    put('.next/static/chunks/app.js.map', '{"version":3}');
    expect(scanArtifacts(root)).toEqual(expect.arrayContaining([
      { path: '.next/static/chunks/app.js.map', problem: 'source map file' },
      { path: '.next/static/chunks/app.js', problem: 'source map reference' },
    ]));
  });

  it('catches a planted private key in the build and in the Docker context', () => {
    put('.next/server/app/page.js', `const k = ${JSON.stringify(pem)}`);
    put('server/deploy-key.pem', pem);
    const found = scanArtifacts(root);
    expect(found).toContainEqual({ path: '.next/server/app/page.js', problem: 'private key' });
    expect(found).toContainEqual({ path: 'server/deploy-key.pem', problem: 'private key' });
  });

  it('catches token-shaped secrets', () => {
    put('server/config.ts', `const key = "sk-${'a1B2'.repeat(10)}"; const gh = "ghp_${'x'.repeat(36)}";`);
    expect(scanArtifacts(root).map((p) => p.problem)).toEqual(expect.arrayContaining(['OpenAI-style API key', 'GitHub token']));
  });

  it('flags stray files outside the allowlists', () => {
    put('.next/trace', 'build trace with /home/dev paths');
    put('.dockerignore', '**\n!package.json\n!server/**\n!notes/**\n');
    expect(scanArtifacts(root)).toEqual(expect.arrayContaining([
      { path: '.next/trace', problem: 'not on the build-output allowlist' },
      { path: 'notes/private.txt', problem: 'in the Docker context but not on its allowlist' },
    ]));
  });

  it('applies .dockerignore like Docker: last match wins, directories cover their contents', () => {
    const ignored = dockerignoreFilter('**\n!server/**\nserver/secret\n*.md\n!README.md');
    expect(ignored('server/a.ts')).toBe(false);
    expect(ignored('server/secret/key')).toBe(true);
    expect(ignored('docs/x.md')).toBe(true);
    expect(ignored('README.md')).toBe(false);
  });
});
