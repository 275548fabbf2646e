#!/usr/bin/env node
// `npm run check:artifacts`: fails with the offending paths when what would ship is not clean.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { scanArtifacts } from './lib/artifacts.mjs';

const root = path.resolve(import.meta.dirname, '..');
if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) {
  console.error('check:artifacts: no production build in .next/ (run `npm run build` first)');
  process.exit(1);
}
const problems = scanArtifacts(root);
if (problems.length) {
  console.error(`check:artifacts: ${problems.length} problem(s) in what would ship:`);
  for (const p of problems.slice(0, 200)) console.error(`  ${p.path}: ${p.problem}`);
  process.exit(1);
}
console.log('check:artifacts: build output and Docker context are clean');
