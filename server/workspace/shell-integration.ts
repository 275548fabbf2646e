// Shell integration: the workspace's bash reports each command line, its working directory and
// its exit code in the pty stream as OSC 633 sequences (the convention VS Code's terminal uses),
// and the server lifts them out of the stream before anyone sees it.
//   ESC ] 633 ; E ; <command line, escaped> BEL    the command about to run
//   ESC ] 633 ; P ; Cwd=<dir> BEL                  where it runs
//   ESC ] 633 ; D ; <exit code> BEL                it finished (also sent at the first prompt: no E before it)
//
// It is a record of an honest shell, not a tamper-proof one: the init runs as the workspace user,
// who can unset PROMPT_COMMAND/PS0 or print these sequences themselves (docs/security.md).

/**
 * The init travels in the environment, so nothing is written into the workspace: PS0 (expanded
 * after bash reads a command, before it runs) calls an exported function that prints E — the line
 * from history, with `\`, `;` and newlines escaped as VS Code does — and P; PROMPT_COMMAND prints D
 * with `$?`. The function is exported (BASH_FUNC_…%%) because PS0 itself is prompt-decoded, which
 * would mangle the backslashes. Only bash: dash has no PS0 or PROMPT_COMMAND (see docs/security.md).
 */
const REPORT_COMMAND = "() { local h nl=$'\\n'; h=$(HISTTIMEFORMAT= builtin history 1); h=\"${h#*[0-9]  }\"; h=\"${h//\\\\/\\\\\\\\}\"; h=\"${h//;/\\\\x3b}\"; h=\"${h//$nl/\\\\x0a}\"; builtin printf '\\e]633;E;%s\\a\\e]633;P;Cwd=%s\\a' \"$h\" \"$PWD\"; }";
export const BASH_SHELL_INTEGRATION_ENV: Record<string, string> = {
  'BASH_FUNC___tether_report_command%%': REPORT_COMMAND,
  PS0: '$(__tether_report_command)',
  PROMPT_COMMAND: "builtin printf '\\e]633;D;%s\\a' \"$?\"",
};

/** Bash shows this unless the workspace's own .bashrc sets another. */
const PROMPT = '\\[\\e[1;34m\\]\\w\\[\\e[0m\\] $ ';

/** A terminal's environment, whichever provider runs it: extra variables first, so its own TERM, prompt and integration win. */
export function terminalEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, TERM: 'xterm-256color', COLORTERM: 'truecolor', PS1: PROMPT, ...BASH_SHELL_INTEGRATION_ENV };
}

export interface ShellCommand { command: string; cwd: string | null; exitCode: number | null }

const OSC_START = '\x1b]633;';
/** A sequence longer than this is not ours (or is hostile): pass it through rather than buffer forever. */
const MAX_SEQUENCE_CHARS = 16 * 1024;

/** Undoes the E line's escaping: `\\` → `\`, `\xNN` → that character. */
export function unescapeCommandLine(s: string): string {
  return s.replace(/\\(\\|x[0-9a-fA-F]{2})/g, (_, m: string) => (m === '\\' ? '\\' : String.fromCharCode(parseInt(m.slice(1), 16))));
}

/**
 * Feeds on pty output; returns the output without 633 sequences and the commands that finished.
 * A sequence split across chunks is held until its terminator (BEL or ESC \) arrives.
 */
export class ShellIntegrationParser {
  private held = '';
  private pending: { command: string; cwd: string | null } | null = null;

  feed(chunk: string): { output: string; commands: ShellCommand[] } {
    let data = this.held + chunk;
    this.held = '';
    let output = '';
    const commands: ShellCommand[] = [];
    for (;;) {
      const at = data.indexOf(OSC_START);
      if (at < 0) {
        // A chunk may end inside the start marker itself: hold a possible prefix of it.
        const keep = partialPrefixLength(data);
        output += data.slice(0, data.length - keep);
        this.held = data.slice(data.length - keep);
        break;
      }
      output += data.slice(0, at);
      const rest = data.slice(at + OSC_START.length);
      const bel = rest.indexOf('\x07');
      const st = rest.indexOf('\x1b\\');
      const end = bel < 0 ? st : st < 0 ? bel : Math.min(bel, st);
      if (end < 0) {
        if (data.length - at > MAX_SEQUENCE_CHARS) { output += data.slice(at); break; }
        this.held = data.slice(at);
        break;
      }
      const finished = this.mark(rest.slice(0, end));
      if (finished) commands.push(finished);
      data = rest.slice(end + (end === bel ? 1 : 2));
    }
    return { output, commands };
  }

  private mark(body: string): ShellCommand | null {
    const [kind, ...args] = body.split(';');
    const arg = args.join(';');
    if (kind === 'E') this.pending = { command: unescapeCommandLine(arg), cwd: null };
    else if (kind === 'P' && arg.startsWith('Cwd=') && this.pending) this.pending.cwd = unescapeCommandLine(arg.slice(4));
    else if (kind === 'D' && this.pending) {
      const code = Number.parseInt(arg, 10);
      const done = { ...this.pending, exitCode: Number.isFinite(code) ? code : null };
      this.pending = null;
      return done;
    }
    return null;
  }
}

function partialPrefixLength(data: string): number {
  for (let n = Math.min(OSC_START.length - 1, data.length); n > 0; n--) if (OSC_START.startsWith(data.slice(-n))) return n;
  return 0;
}
