// Masking on the tools' one wrapper: output, error and the tool card's detail (an edit's diff).
import { afterEach, describe, expect, it } from 'vitest';
import { createDirWorkspace, type DirWorkspace } from '../../test/support/agent-workspace.ts';
import { builtinTools } from '../agent/tools/registry.ts';
import { invokeTool } from '../agent/tools/tool.ts';
import { maskSecrets } from './mask.ts';

const tool = (name: string) => builtinTools.find((t) => t.name === name)!;
const SECRET = 'sk_live_ThisIsTheSecretValue42';
let ws: DirWorkspace;
afterEach(() => ws?.cleanup());

describe('masking secret values in tool results', () => {
  it('masks the output, and every string of the detail a tool card shows', async () => {
    ws = createDirWorkspace({ '.env': `STRIPE_KEY=${SECRET}\nDEBUG=1\n` });
    const workspace = { ...ws, secretMasker: async () => (t: string) => maskSecrets(t, [{ name: 'stripe', value: SECRET }]) };
    const ctx = { workspace, signal: new AbortController().signal, sessionId: 's', callId: 'c' };
    const read = await invokeTool(tool('read_file'), { path: '.env' }, ctx);
    expect(JSON.stringify(read)).not.toContain(SECRET);
    expect(read.ok && read.output).toContain('STRIPE_KEY=[secret stripe masked]');
    const edit = await invokeTool(tool('edit_file'), { path: '.env', oldString: 'DEBUG=1', newString: 'DEBUG=0' }, ctx);
    expect(edit.ok).toBe(true);
    expect(JSON.stringify(edit)).not.toContain(SECRET);
  });

  it('withholds the output when the secrets cannot be loaded, rather than risk it', async () => {
    ws = createDirWorkspace({ 'a.txt': SECRET });
    const workspace = { ...ws, secretMasker: async (): Promise<(t: string) => string> => { throw new Error('database is down'); } };
    const r = await invokeTool(tool('read_file'), { path: 'a.txt' }, { workspace, signal: new AbortController().signal, sessionId: 's', callId: 'c' });
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/withheld.*database is down/) });
  });

  it('masks the longest value first and leaves text without secrets alone', () => {
    expect(maskSecrets('a=abcdefgh12 b=abcdefgh', [{ name: 'short', value: 'abcdefgh' }, { name: 'long', value: 'abcdefgh12' }]))
      .toBe('a=[secret long masked] b=[secret short masked]');
    expect(maskSecrets('nothing here', [{ name: 'x', value: 'abcdefgh' }])).toBe('nothing here');
  });
});
