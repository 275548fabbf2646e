import { describe, expect, it } from 'vitest';
import { classifyWrite } from './writes.ts';

describe('classifyWrite', () => {
  it('lets reads through, git fetches included', () => {
    for (const [m, p] of [['GET', '/lodash'], ['HEAD', '/x'], ['OPTIONS', '/'], ['GET', '/o/r.git/info/refs?service=git-upload-pack'], ['POST', '/o/r.git/git-upload-pack']]) {
      expect(classifyWrite(m!, 'github.com', p!)).toBeNull();
    }
  });

  it('names pushes, publishes, uploads and any other write', () => {
    expect(classifyWrite('GET', 'github.com', '/o/r.git/info/refs?service=git-receive-pack')).toEqual({ push: true, what: 'git push to github.com' });
    expect(classifyWrite('POST', 'github.com', '/o/r.git/git-receive-pack')).toEqual({ push: true, what: 'git push to github.com' });
    expect(classifyWrite('PUT', 'registry.npmjs.org', '/my-pkg')?.what).toBe('package publish to registry.npmjs.org');
    expect(classifyWrite('POST', 'upload.pypi.org', '/legacy/')?.what).toBe('package upload to upload.pypi.org');
    expect(classifyWrite('PUT', 'crates.io', '/api/v1/crates/new')?.what).toBe('package upload to crates.io');
    expect(classifyWrite('DELETE', 'api.github.com', '/repos/o/r')).toEqual({ push: false, what: 'DELETE /repos/o/r on api.github.com' });
    expect(classifyWrite('post', 'api.example.com', '/v1/things?x=1')?.what).toBe('POST /v1/things on api.example.com');
  });
});
