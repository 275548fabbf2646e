// What the browser may download for the editor: the production build's client chunks (the
// largest is Monaco with its contributions) and the Monaco workers in public/monaco/, raw and
// gzipped. Run after `npm run build`.
//   node bench/editor-bundle.mjs
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const sizes = (file) => { const b = readFileSync(file); return { raw: b.length, gz: gzipSync(b, { level: 6 }).length }; };

const chunksDir = path.join(root, '.next/static/chunks');
const chunks = readdirSync(chunksDir).filter((f) => f.endsWith('.js')).map((f) => ({ f, ...sizes(path.join(chunksDir, f)) })).sort((a, b) => b.raw - a.raw);
const total = chunks.reduce((t, c) => ({ raw: t.raw + c.raw, gz: t.gz + c.gz }), { raw: 0, gz: 0 });
console.log(`client chunks: ${chunks.length} files, ${kib(total.raw)} raw, ${kib(total.gz)} gzip`);
for (const c of chunks.slice(0, 3)) console.log(`  largest: ${c.f} ${kib(c.raw)} raw, ${kib(c.gz)} gzip`);
for (const f of readdirSync(path.join(root, 'public/monaco')).sort()) {
  const s = sizes(path.join(root, 'public/monaco', f));
  console.log(`worker ${f}: ${kib(s.raw)} raw, ${kib(s.gz)} gzip`);
}
