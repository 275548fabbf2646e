import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInputsDigest, root } from './bootstrap.mjs';

describe('the Next build check', () => {
  it('ignores what the build writes itself (Monaco\'s workers), so a fresh clone builds once', () => {
    const before = buildInputsDigest();
    const dir = path.join(root, 'public/monaco');
    const probe = path.join(dir, `.digest-probe-${process.pid}.js`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, 'generated');
    try {
      expect(buildInputsDigest()).toBe(before);
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it('sees a change to the app', () => {
    const before = buildInputsDigest();
    const probe = path.join(root, 'app', `.digest-probe-${process.pid}.ts`);
    writeFileSync(probe, 'export {};');
    try {
      expect(buildInputsDigest()).not.toBe(before);
    } finally {
      rmSync(probe, { force: true });
    }
  });
});
