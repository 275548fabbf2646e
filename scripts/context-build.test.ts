// Runs `npm run --silent context:build` as a person would, on a session log written as JSONL.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionLog } from '../test/support/session-log.ts';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'tether-context-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const contextBuild = (file: string, budget = '8000') => run('npm', ['run', '--silent', 'context:build', '--', '--events', file, '--budget', budget], { cwd: path.resolve(import.meta.dirname, '..'), maxBuffer: 64 * 1024 * 1024 });

describe('context:build', () => {
  it('prints one JSON object: memory with provenance, the prompt, and the report', { timeout: 60_000 }, async () => {
    const log = new SessionLog();
    log.say('Use Postgres for storage. Never commit generated files.').end();
    for (let i = 1; i <= 80; i++) {
      const r = log.say(`Look at part ${i}.`);
      r.tool('read_file', { path: `p${i}.ts` }, Array.from({ length: 50 }, (_, k) => `const p${i}_${k} = ${k};`).join('\n'));
      r.reply(`Part ${i} is fine.`).end();
    }
    log.say('Switch to SQLite after all.').end();
    // The file carries what an export has: no ids or hashes needed.
    const file = write('session.jsonl', log.events.map(({ seq, type, actorKind, actorId, payload, createdAt }) => JSON.stringify({ seq, type, actorKind, actorId, payload, createdAt })));

    const { stdout, stderr } = await contextBuild(file);
    expect(stderr).toBe('');
    const out = JSON.parse(stdout) as { memory: { kind: string; text: string; status: string; sourceSeqs: number[] }[]; prompt: string; report: Record<'sections' | 'included' | 'masked' | 'dropped', { ref: string; tokens: number; reason: string }[]> };
    expect(Object.keys(out)).toEqual(['memory', 'prompt', 'report']);
    expect(Object.keys(out.report)).toEqual(['sections', 'included', 'masked', 'dropped']);
    expect(out.memory).toEqual([
      { kind: 'decision', text: 'Use Postgres for storage.', status: 'closed', sourceSeqs: [1] },
      { kind: 'constraint', text: 'Never commit generated files.', status: 'live', sourceSeqs: [1] },
      { kind: 'decision', text: 'Switch to SQLite after all.', status: 'live', sourceSeqs: [log.events.length - 2] },
    ]);
    expect(out.prompt).toContain('Never commit generated files. (#1)');
    expect(out.prompt).not.toContain('Use Postgres for storage.');
    expect(out.prompt).toMatch(/\[read_file output masked \(\d+ tokens, event #\d+\): call read_file again/);
    const total = (out.report.sections as unknown as { tokens: number }[]).reduce((n, s) => n + s.tokens, 0);
    expect(total).toBeLessThanOrEqual(8000);
    expect(out.report.dropped.some((d) => d.ref.startsWith('turns:'))).toBe(true);
  });

  it('names the bad line and exits non-zero on a malformed log', { timeout: 60_000 }, async () => {
    const file = write('bad.jsonl', [
      JSON.stringify({ seq: 1, type: 'user.message', actorKind: 'user', actorId: 'u', payload: { text: 'hi' }, createdAt: '2026-01-01T00:00:00Z' }),
      JSON.stringify({ seq: 2, type: 'user.message', actorKind: 'user', actorId: 'u', payload: { words: 'hi' }, createdAt: '2026-01-01T00:00:01Z' }),
    ]);
    const err = await contextBuild(file).then(() => null, (e: { code: number; stdout: string; stderr: string }) => e);
    expect(err?.code).toBe(1);
    expect(err?.stdout).toBe('');
    expect(err?.stderr).toMatch(/^context:build: line 2: payload of user\.message: text/);
  });
});
