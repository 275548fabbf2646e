import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from './provider.ts';
import { ShellIntegrationParser, type ShellCommand } from './shell-integration.ts';
import { TerminalManager, type TerminalCommand } from './terminals.ts';
import { silentLog, tempProvider, uidBase } from './testing.ts';

const E = (line: string) => `\x1b]633;E;${line}\x07`;
const P = (cwd: string) => `\x1b]633;P;Cwd=${cwd}\x1b\\`;
const D = (code: number) => `\x1b]633;D;${code}\x07`;

describe('ShellIntegrationParser', () => {
  it('lifts command, cwd and exit code out of the stream, whatever the chunking', () => {
    const stream = `${D(0)}$ ls\r\n${E('echo a\\\\b\\x3b false')}${P('/workspace/src')}ab\r\n${D(1)}$ \r\n${D(1)}$ `;
    for (const size of [1, 2, 3, 7, stream.length]) {
      const parser = new ShellIntegrationParser();
      let output = '';
      const commands: ShellCommand[] = [];
      for (let i = 0; i < stream.length; i += size) {
        const r = parser.feed(stream.slice(i, i + size));
        output += r.output;
        commands.push(...r.commands);
      }
      expect(output, `chunks of ${size}`).toBe('$ ls\r\nab\r\n$ \r\n$ ');
      // The first prompt's D and an empty line's D have no E: they are not commands.
      expect(commands).toEqual([{ command: 'echo a\\b; false', cwd: '/workspace/src', exitCode: 1 }]);
    }
  });

  it('passes other escape sequences through untouched and gives up on an unterminated one', () => {
    const parser = new ShellIntegrationParser();
    expect(parser.feed('\x1b]0;title\x07\x1b[1;34mblue\x1b[0m').output).toBe('\x1b]0;title\x07\x1b[1;34mblue\x1b[0m');
    const long = `\x1b]633;E;${'x'.repeat(20_000)}`;
    expect(parser.feed(long).output).toBe(long);
  });
});

describe('shell integration in a real sandboxed bash', () => {
  let env: Awaited<ReturnType<typeof tempProvider>>;
  let ws: Workspace;
  beforeAll(async () => {
    env = await tempProvider();
    ws = await env.provider.create({ id: 'shellint', source: { kind: 'empty' }, networkAllowed: false, uid: uidBase() + 7 });
  });
  afterAll(async () => env.cleanup());

  it('reports each command with its directory, exit code and the user who typed it, and the screen never shows the reports', async () => {
    const commands: TerminalCommand[] = [];
    const m = new TerminalManager({ log: silentLog, onCommand: (c) => commands.push(c) });
    const opened = await m.open({ sessionId: 's1', workspace: ws, cols: 120, rows: 30 });
    if (!opened.ok) throw new Error(opened.message);
    let screen = '';
    const attached = await m.attach(opened.value.id, null, { onData: (c) => { screen += c.data; } });
    if (!attached.ok) throw new Error(attached.message);
    const until = async (check: () => boolean, what: string) => {
      for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(check(), `${what}: ${JSON.stringify({ screen, commands })}`).toBe(true);
    };
    await until(() => /\$ $/.test(screen), 'first prompt');
    m.write(opened.value.id, 'mkdir -p sub && cd sub && echo "a;b\\\\c"\r', 'user-ada');
    await until(() => commands.length === 1, 'first command');
    m.write(opened.value.id, '\r', 'user-ada');
    m.write(opened.value.id, '(exit 3)\r', 'user-max');
    await until(() => commands.length === 2, 'second command');
    expect(commands.map(({ command, cwd, exitCode, userId, sessionId }) => ({ command, cwd, exitCode, userId, sessionId }))).toEqual([
      { command: 'mkdir -p sub && cd sub && echo "a;b\\\\c"', cwd: '/workspace', exitCode: 0, userId: 'user-ada', sessionId: 's1' },
      { command: '(exit 3)', cwd: '/workspace/sub', exitCode: 3, userId: 'user-max', sessionId: 's1' },
    ]);
    expect(screen).toContain('a;b\\c');
    expect(screen).not.toContain('633;');
    m.closeSession('s1');
  });
});
