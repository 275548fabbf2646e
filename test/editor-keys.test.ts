// The IDE's keys (app/components/ide/IdeCommands.tsx) and the status bar's branch
// (app/components/ide/StatusBar.tsx). Here rather than beside them: Vitest runs server/,
// scripts/ and test/.
import { describe, expect, it } from 'vitest';
import { commandForKey } from '../app/components/ide/IdeCommands.tsx';
import { branchFromHead } from '../app/components/ide/StatusBar.tsx';

const key = (k: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) =>
  ({ key: k, ctrlKey: !!mods.ctrl, metaKey: !!mods.meta, shiftKey: !!mods.shift, altKey: !!mods.alt });

describe('commandForKey', () => {
  it('takes Ctrl/Cmd+P and Ctrl/Cmd+Shift+F everywhere, before the browser', () => {
    for (const inEditor of [false, true]) {
      expect(commandForKey(key('p', { ctrl: true }), inEditor)).toBe('quick-open');
      expect(commandForKey(key('p', { meta: true }), inEditor)).toBe('quick-open');
      expect(commandForKey(key('F', { ctrl: true, shift: true }), inEditor)).toBe('search');
    }
  });

  it('opens the command palette and go to line from outside the editor only (inside, Monaco has the key)', () => {
    expect(commandForKey(key('F1'), false)).toBe('palette');
    expect(commandForKey(key('P', { ctrl: true, shift: true }), false)).toBe('palette');
    expect(commandForKey(key('F1'), true)).toBeNull();
    expect(commandForKey(key('P', { ctrl: true, shift: true }), true)).toBeNull();
    expect(commandForKey(key('g', { ctrl: true }), false)).toBe('goto-line');
    expect(commandForKey(key('g', { ctrl: true }), true)).toBeNull();
  });

  it('leaves other keys alone', () => {
    expect(commandForKey(key('p'), false)).toBeNull();
    expect(commandForKey(key('f', { ctrl: true }), false)).toBeNull();
    expect(commandForKey(key('p', { ctrl: true, alt: true }), false)).toBeNull();
  });
});

describe('branchFromHead', () => {
  it('names the branch, or the commit of a detached HEAD', () => {
    expect(branchFromHead('ref: refs/heads/feature/x\n')).toBe('feature/x');
    expect(branchFromHead('0123456789abcdef0123456789abcdef01234567\n')).toBe('detached at 0123456');
  });
});
