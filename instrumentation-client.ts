// Next runs this before the page hydrates, well before the page's own modules: a session page's
// front terminal connects, attaches and fetches xterm.js from here (app/lib/terminal-boot.ts).
import { bootTerminal } from './app/lib/terminal-boot.ts';

bootTerminal();
