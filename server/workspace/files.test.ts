// File API battery, on a real sandboxed workspace (the file service acts through its workspace
// host): every escape is refused with a typed error, and what the service writes belongs to the
// workspace uid.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_READ_BYTES, FileError, type FileService } from './files.ts';
import { tempProvider, uidBase } from './testing.ts';

const UID = uidBase() + 1;
let base: string;
let root: string;
let files: FileService;
let env: Awaited<ReturnType<typeof tempProvider>>;

async function refused(p: Promise<unknown>, code: string): Promise<FileError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(FileError);
  expect((e as FileError).code).toBe(code);
  return e as FileError;
}

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-files-'));
  await fs.writeFile(path.join(base, 'outside.txt'), 'secret');
  await fs.mkdir(path.join(base, 'outside-dir'));
  env = await tempProvider();
  files = (await env.provider.create({ id: 'files', source: { kind: 'empty' }, networkAllowed: false, uid: UID })).files;
  root = files.root;
}, 60_000);
afterAll(async () => {
  await env.cleanup();
  await fs.rm(base, { recursive: true, force: true });
});

describe('path escapes', () => {
  const bad: Array<[string, string]> = [
    ['../outside.txt', 'INVALID_PATH'],
    ['a/../../outside.txt', 'INVALID_PATH'],
    ['a/..', 'INVALID_PATH'],
    ['/etc/passwd', 'INVALID_PATH'],
    ['%2e%2e/outside.txt', 'INVALID_PATH'],
    ['..%2foutside.txt', 'INVALID_PATH'],
    ['%252e%252e/outside.txt', 'INVALID_PATH'],
    ['a\0b', 'INVALID_PATH'],
    ['..\\outside.txt', 'INVALID_PATH'],
  ];
  for (const [p, code] of bad) {
    it(`refuses ${JSON.stringify(p)} for read, write, list, delete and rename`, async () => {
      await refused(files.read(p), code);
      await refused(files.write(p, 'x'), code);
      await refused(files.list(p), code);
      await refused(files.delete(p), code);
      await refused(files.rename('x', p), code);
    });
  }

  it('explains the refusal', async () => {
    const e = await refused(files.read('../outside.txt'), 'INVALID_PATH');
    expect(e.message).toMatch(/may not contain "\.\."/);
    expect((await refused(files.read('/etc/passwd'), 'INVALID_PATH')).message).toMatch(/Absolute paths are not allowed/);
    expect((await refused(files.read('a\0b'), 'INVALID_PATH')).message).toMatch(/NUL byte/);
  });

  it('refuses symlinks that lead outside, for reading, writing and listing through them', async () => {
    await fs.symlink(path.join(base, 'outside.txt'), path.join(root, 'link-file'));
    await fs.symlink(path.join(base, 'outside-dir'), path.join(root, 'link-dir'));
    await fs.symlink('/etc', path.join(root, 'etc'));
    await fs.symlink(path.join(base, 'nowhere'), path.join(root, 'dangling'));
    await refused(files.read('link-file'), 'OUTSIDE_WORKSPACE');
    await refused(files.write('link-file', 'pwned'), 'OUTSIDE_WORKSPACE');
    await refused(files.list('link-dir'), 'OUTSIDE_WORKSPACE');
    await refused(files.write('link-dir/new.txt', 'x'), 'OUTSIDE_WORKSPACE');
    await refused(files.createDir('link-dir/sub'), 'OUTSIDE_WORKSPACE');
    await refused(files.read('etc/shadow'), 'OUTSIDE_WORKSPACE');
    await refused(files.write('dangling', 'x'), 'OUTSIDE_WORKSPACE');
    await refused(files.rename('link-dir/x', 'y'), 'OUTSIDE_WORKSPACE');
    expect(await fs.readFile(path.join(base, 'outside.txt'), 'utf8')).toBe('secret');
    await expect(fs.access(path.join(base, 'nowhere'))).rejects.toThrow();
    await expect(fs.access(path.join(base, 'outside-dir', 'new.txt'))).rejects.toThrow();
    // Deleting the link removes the link, never its target.
    await files.delete('link-dir');
    expect((await fs.stat(path.join(base, 'outside-dir'))).isDirectory()).toBe(true);
    for (const l of ['link-file', 'etc', 'dangling']) await files.delete(l);
  });

  it('refuses a link whose target climbs out through a missing directory', async () => {
    await fs.symlink('missing/../../../../../../etc', path.join(root, 'climb'));
    await refused(files.createDir('climb/made-outside'), 'OUTSIDE_WORKSPACE');
    await refused(files.read('climb/passwd'), 'OUTSIDE_WORKSPACE');
    await files.delete('climb');
  });

  it('follows symlinks that stay inside', async () => {
    await files.write('real.txt', 'inside');
    await fs.symlink('real.txt', path.join(root, 'alias'));
    const r = await files.read('alias');
    expect(r.kind === 'text' && r.content).toBe('inside');
    await files.delete('alias');
    await files.delete('real.txt');
  });
});

describe('operations', () => {
  it('creates, lists, stats, renames and deletes, owned by the workspace uid', async () => {
    await files.createDir('src');
    const w = await files.createFile('src/a.ts', 'export {};\n');
    expect(w.size).toBe(11);
    await refused(files.createFile('src/a.ts'), 'ALREADY_EXISTS');
    expect((await fs.stat(path.join(root, 'src'))).uid).toBe(UID);
    expect((await fs.stat(path.join(root, 'src/a.ts'))).uid).toBe(UID);
    expect((await files.list('src')).map((e) => [e.name, e.type, e.size])).toEqual([['a.ts', 'file', 11]]);
    expect((await files.list('')).find((e) => e.name === 'src')?.type).toBe('directory');
    await files.rename('src/a.ts', 'src/b.ts');
    await refused(files.stat('src/a.ts'), 'NOT_FOUND');
    expect((await files.stat('src/b.ts')).type).toBe('file');
    await files.createFile('src/c.ts');
    await refused(files.rename('src/c.ts', 'src/b.ts'), 'ALREADY_EXISTS');
    await refused(files.rename('src', 'src/inner'), 'INVALID_PATH');
    await files.delete('src');
    await refused(files.stat('src'), 'NOT_FOUND');
    await refused(files.delete(''), 'INVALID_PATH');
  });

  it('tells text from binary and flags large files read-only', async () => {
    await fs.writeFile(path.join(root, 'bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    await fs.writeFile(path.join(root, 'latin1'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await fs.writeFile(path.join(root, 'big.txt'), 'x'.repeat(DEFAULT_MAX_READ_BYTES + 1));
    await fs.writeFile(path.join(root, 'utf8.txt'), 'héllo ✓');
    expect(await files.read('bin')).toMatchObject({ kind: 'binary', readOnly: true });
    expect(await files.read('latin1')).toMatchObject({ kind: 'binary', readOnly: true });
    expect(await files.read('big.txt')).toMatchObject({ kind: 'too-large', readOnly: true, size: DEFAULT_MAX_READ_BYTES + 1 });
    expect(await files.read('utf8.txt')).toMatchObject({ kind: 'text', content: 'héllo ✓' });
    await refused(files.read('nope'), 'NOT_FOUND');
  });

  it('detects a conflicting change by mtime or hash', async () => {
    const first = await files.write('doc.md', 'v1');
    const r = await files.read('doc.md');
    expect(r.kind === 'text' && r.hash).toBe(first.hash);
    const second = await files.write('doc.md', 'v2', { hash: first.hash });
    await refused(files.write('doc.md', 'v3', { hash: first.hash }), 'CONFLICT');
    await fs.utimes(path.join(root, 'doc.md'), new Date(), new Date(Date.now() + 5000));
    await refused(files.write('doc.md', 'v3', { mtimeMs: second.mtimeMs }), 'CONFLICT');
    await files.delete('doc.md');
    await refused(files.write('doc.md', 'v4', { hash: second.hash }), 'CONFLICT');
    // The refused save of a deleted file leaves nothing behind (no empty file at the old path).
    await refused(files.stat('doc.md'), 'NOT_FOUND');
  });

  it('writes bytes exactly and reads multi-byte text back whole', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await files.createFile('all-bytes.bin', bytes);
    expect((await fs.readFile(path.join(root, 'all-bytes.bin'))).equals(bytes)).toBe(true);
    const text = 'ü€𝄞\n'.repeat(100_000);
    await files.write('multi.txt', text);
    const r = await files.read('multi.txt');
    expect(r.kind === 'text' && r.content === text).toBe(true);
  });

  it('acts as the workspace user: a root-only file in the workspace is refused, not read as root', async () => {
    await fs.writeFile(path.join(root, 'root-only'), 'root secret', { mode: 0o600 });
    expect((await refused(files.read('root-only'), 'PERMISSION_DENIED')).message).toBe('Permission denied: root-only');
    await refused(files.write('root-only', 'x'), 'PERMISSION_DENIED');
    expect(await fs.readFile(path.join(root, 'root-only'), 'utf8')).toBe('root secret');
    await fs.rm(path.join(root, 'root-only'));
  });

  it('does not hang on a FIFO', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    await refused(files.read('pipe'), 'INVALID_PATH');
  });
});
