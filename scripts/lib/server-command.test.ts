import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_MALLOC_ENV, PRODUCTION_NODE_ARGS } from './server-command.mjs';

const dockerfile = readFileSync(path.resolve(import.meta.dirname, '../../Dockerfile'), 'utf8');

describe('the production server command', () => {
  it('is the one the Docker image runs', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...PRODUCTION_NODE_ARGS]);
  });

  it('has the malloc settings the Docker image sets', () => {
    const env = dockerfile.split('\n').filter((l) => l.startsWith('ENV ')).join(' ');
    for (const [k, v] of Object.entries(PRODUCTION_MALLOC_ENV)) expect(env).toContain(` ${k}=${v}`);
  });
});
