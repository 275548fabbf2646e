// Turns a bash command line into the simple commands it would run, using tree-sitter-bash (the
// grammar's own wasm, through web-tree-sitter). Nothing here judges risk: it only says what
// runs, with which words, reading and writing what — and, where the tree holds something this
// walker does not understand, says so, so the classifier can refuse to guess.
import { createRequire } from 'node:module';
import type { Node, Parser } from 'web-tree-sitter';

/** One word after quote removal; value is null when it depends on the run time ($X, $(…), globs aside). */
export interface Word {
  value: string | null;
  /** Unquoted *, ?, [ or {a,b}: the shell expands it to any number of names. */
  glob: boolean;
  /** The word as written, for people. */
  source: string;
}

export interface Redirect {
  /** '>', '>>', '<', '&>', '>&', '<<', '<<<' … as written. */
  op: string;
  target: Word;
  /** Set when the target is a file descriptor (2>&1), which is neither read nor written. */
  fdDup: boolean;
}

export interface SimpleCommand {
  words: Word[];
  /** NAME=value prefixes, and `export`/`declare`/`local` operands. */
  assignments: { name: string; value: Word }[];
  redirects: Redirect[];
  /** Where stdin comes from, as far as the line shows. */
  stdin: 'pipe' | 'heredoc' | 'herestring' | 'file' | null;
  /** Static here-doc / here-string text fed to this command, when it has no expansions. */
  stdinText: string | null;
  text: string;
}

export interface ParsedScript {
  commands: SimpleCommand[];
  /** Parts of the line the walker could not fully understand; non-empty ⇒ treat as high risk. */
  problems: string[];
}

const require = createRequire(import.meta.url);
let parserReady: Promise<Parser> | null = null;

/**
 * One parser for the process: loading the grammar takes ~20 ms, parsing a line microseconds. The
 * library itself is imported here, on the first command classified, not when the server starts.
 */
function parser(): Promise<Parser> {
  parserReady ??= (async () => {
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init();
    const bash = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const p = new Parser();
    p.setLanguage(bash);
    return p;
  })();
  parserReady.catch(() => { parserReady = null; });
  return parserReady;
}

/** Lines longer than this are not analysed: they are refused as not understood. */
export const MAX_SCRIPT_CHARS = 100_000;
/** bash -c 'bash -c …' nesting deeper than this is refused as not understood. */
export const MAX_NESTING = 8;
/** Syntax nested deeper than this ($($($(…)))) is refused as not understood, before the stack runs out. */
export const MAX_TREE_DEPTH = 200;

export async function parseShell(source: string): Promise<ParsedScript> {
  if (source.length > MAX_SCRIPT_CHARS) return { commands: [], problems: [`the command is longer than ${MAX_SCRIPT_CHARS} characters`] };
  const p = await parser();
  const tree = p.parse(source);
  if (!tree) return { commands: [], problems: ['the shell parser returned nothing'] };
  try {
    const walk = new Walk();
    walk.node(tree.rootNode);
    return { commands: walk.commands, problems: walk.problems };
  } finally {
    tree.delete();
  }
}

/** Node types whose children are walked with no meaning of their own. */
const CONTAINERS = new Set([
  'program', 'list', 'subshell', 'compound_statement', 'do_group', 'if_statement', 'elif_clause', 'else_clause',
  'while_statement', 'for_statement', 'c_style_for_statement', 'case_statement', 'case_item', 'negated_command',
  'test_command', 'binary_expression', 'unary_expression', 'parenthesized_expression', 'postfix_expression',
  'ternary_expression', 'arithmetic_expansion', 'function_definition', 'variable_assignments', 'array', 'subscript',
  'expansion', 'command_substitution', 'process_substitution', 'string', 'concatenation', 'translated_string',
]);
/** Where bash evaluates arithmetic: a variable's value is itself evaluated there, $(…) included. */
const ARITHMETIC = new Set(['arithmetic_expansion', 'c_style_for_statement', 'subscript']);

/** Leaves that carry no command. */
const LEAVES = new Set([
  'comment', 'word', 'number', 'raw_string', 'ansi_c_string', 'string_content', 'variable_name', 'special_variable_name',
  'simple_expansion', 'test_operator', 'file_descriptor', 'regex', 'extglob_pattern', 'heredoc_start', 'heredoc_end',
  'heredoc_content', 'brace_expression',
]);

class Walk {
  commands: SimpleCommand[] = [];
  problems: string[] = [];
  /** stdin of the command whose words are being read: $(…) in them inherits it. */
  private stdinNow: SimpleCommand['stdin'] = null;
  private depth = 0;
  private tooDeep = false;

  node(n: Node, stdin: SimpleCommand['stdin'] = null): void {
    if (this.depth >= MAX_TREE_DEPTH) {
      if (!this.tooDeep) this.problems.push(`the command is nested more than ${MAX_TREE_DEPTH} levels deep`);
      this.tooDeep = true;
      return;
    }
    this.depth++;
    try {
      this.visit(n, stdin);
    } finally {
      this.depth--;
    }
  }

  private visit(n: Node, stdin: SimpleCommand['stdin']): void {
    if (n.isError || n.type === 'ERROR') { this.problems.push(`the shell parser could not read "${clip(n.text)}"`); return; }
    if (n.isMissing) { this.problems.push(`the command is incomplete (missing "${n.type}")`); return; }
    if (!n.isNamed) return;
    switch (n.type) {
      case 'command': this.command(n, [], stdin, null); return;
      case 'redirected_statement': this.redirected(n, stdin); return;
      case 'pipeline': {
        named(n).forEach((c, i) => this.node(c, i === 0 ? stdin : 'pipe'));
        return;
      }
      case 'variable_assignment': this.assignmentOnly([n]); return;
      case 'declaration_command': this.declaration(n); return;
      case 'unset_command': this.declaration(n); return;
      case 'heredoc_body': named(n).forEach((c) => this.node(c)); return;
      case 'file_redirect': case 'heredoc_redirect': case 'herestring_redirect':
        // A redirect on a compound statement: the walker records it on a synthetic command.
        this.compoundRedirects(n); return;
    }
    if (ARITHMETIC.has(n.type) || (n.type === 'compound_statement' && n.text.startsWith('(('))) this.arithmetic(n);
    if (n.type === 'test_command') this.testCommand(n);
    if (n.type === 'expansion' && /@P\}$/.test(n.text)) this.problems.push(`${n.text} expands a prompt string, which runs any $(…) stored in the variable`);
    // A process substitution's commands read what the outer command writes into it; every
    // command in a list, loop or group reads the stdin of the whole.
    if (n.type === 'process_substitution') { named(n).forEach((c) => this.node(c, 'pipe')); return; }
    if (CONTAINERS.has(n.type)) { named(n).forEach((c) => this.node(c, stdin)); return; }
    if (LEAVES.has(n.type)) return;
    this.problems.push(`the shell construct "${n.type}" is not understood by the policy`);
  }

  /**
   * Arithmetic on variables: bash evaluates a variable's value as an expression there, and
   * `a[$(cmd)]` inside that value runs cmd. Only literal numbers are safe to evaluate.
   */
  private arithmetic(n: Node) {
    const scope = n.type === 'subscript' ? n.childForFieldName('index') : n;
    // ${a[@]}, ${a[*]} and literal indexes evaluate nothing.
    if (!scope || (n.type === 'subscript' && /^([@*]|\d+)$/.test(scope.text))) return;
    const names = new Set(['variable_name', 'simple_expansion', 'expansion', 'word']);
    const variable = names.has(scope.type) ? scope : [...names].map((t) => findDescendant(scope, t)).find((x) => x) ?? null;
    if (variable) this.problems.push(`arithmetic on ${variable.text} (bash evaluates a variable's value there, and $(…) inside it runs)`);
  }

  /**
   * [[ … ]] evaluates the operands of -eq, -lt … as arithmetic (a variable's value included), and
   * -v evaluates a subscript: both run a $(…) hidden in a string or a variable.
   */
  private testCommand(n: Node) {
    if (/-v\s+['"][^'"]*(\$\(|`)/.test(n.text)) this.problems.push(`${n.text} tests a name whose subscript runs a command`);
    if (n.text.startsWith('[[') && /\s-(eq|ne|lt|le|gt|ge)\s/.test(n.text) && /\$(\{?[A-Za-z_])/.test(n.text)) {
      this.problems.push(`${n.text} compares variables arithmetically (bash evaluates their values, and $(…) inside them runs)`);
    }
  }

  /** `{ …; } > out` or `while …; done < in`: the body runs, and the redirect targets still count. */
  private redirected(n: Node, stdin: SimpleCommand['stdin']) {
    const body = n.childForFieldName('body');
    const redirects = n.childrenForFieldName('redirect').filter((r): r is Node => !!r);
    stdin = redirectedStdin(redirects) ?? stdin;
    // Here-doc bodies can also be children of the statement itself.
    const extra = named(n).filter((c) => c.id !== body?.id && !redirects.some((r) => r.id === c.id));
    if (body && body.type === 'command') {
      this.command(body, redirects, stdin, n);
    } else {
      if (body) this.node(body, stdin);
      this.command(null, redirects, null, n);
    }
    extra.forEach((c) => this.node(c));
  }

  private compoundRedirects(r: Node) {
    this.command(null, [r], null, r);
  }

  /** A simple command (or, with cmd null, only the redirects of a compound one). */
  private command(cmd: Node | null, redirectNodes: Node[], stdin: SimpleCommand['stdin'], outer: Node | null) {
    const words: Word[] = [];
    const assignments: SimpleCommand['assignments'] = [];
    const outerStdin = this.stdinNow;
    this.stdinNow = stdin;
    if (cmd) {
      for (const c of named(cmd)) {
        if (c.type === 'variable_assignment') assignments.push(this.assignment(c));
        else if (c.type === 'command_name') words.push(this.word(firstNamed(c) ?? c));
        else if (c.type === 'file_redirect' || c.type === 'heredoc_redirect' || c.type === 'herestring_redirect') redirectNodes = [...redirectNodes, c];
        else if (c.type === 'comment') continue;
        else words.push(this.word(c));
      }
    }
    const redirects: Redirect[] = [];
    let stdinText: string | null = null;
    for (const r of redirectNodes) {
      if (r.type === 'heredoc_redirect') {
        stdin = 'heredoc';
        const body = findDescendant(r, 'heredoc_body') ?? (outer ? findDescendant(outer, 'heredoc_body') : null);
        const quoted = /['"\\]/.test(findDescendant(r, 'heredoc_start')?.text ?? '');
        stdinText = body ? (quoted || !hasExpansion(body) ? heredocText(body) : null) : '';
        // Expansions in an unquoted here-doc run ($(…)), so they are walked.
        if (body && !quoted) named(body).forEach((c) => this.node(c));
        // A here-doc may carry its own redirect (cat <<EOF > file).
        for (const inner of r.childrenForFieldName('redirect')) if (inner) redirects.push(this.redirect(inner));
        continue;
      }
      if (r.type === 'herestring_redirect') {
        stdin = 'herestring';
        const w = this.word(firstNamed(r) ?? r);
        stdinText = w.value;
        continue;
      }
      const red = this.redirect(r);
      if (red.op.startsWith('<') && !red.fdDup) stdin = readsUnknownInput(red.target) ? 'pipe' : 'file';
      redirects.push(red);
    }
    this.stdinNow = outerStdin;
    const text = (outer ?? cmd)?.text ?? '';
    this.commands.push({ words, assignments, redirects, stdin, stdinText, text });
  }

  private redirect(r: Node): Redirect {
    const op = r.children.filter((c): c is Node => !!c && !c.isNamed).map((c) => c.text).join('') || '>';
    // `3>&-` closes a descriptor: there is no destination at all.
    if (!r.childForFieldName('destination') && /&-?$|-$/.test(op) && !named(r).some((c) => c.type !== 'file_descriptor')) {
      return { op, target: { value: '-', glob: false, source: '-' }, fdDup: true };
    }
    const dest = r.childForFieldName('destination') ?? lastNamed(r);
    const target = dest ? this.word(dest) : { value: null, glob: false, source: '' };
    const fdDup = op.includes('&') && op !== '&>' && op !== '&>>' && target.value !== null && /^(\d+|-)$/.test(target.value);
    return { op, target, fdDup };
  }

  private assignment(a: Node): { name: string; value: Word } {
    const name = a.childForFieldName('name')?.text ?? '';
    const v = a.childForFieldName('value');
    return { name, value: v ? this.word(v) : { value: '', glob: false, source: '' } };
  }

  /** A line that only assigns (X=1; export X=1) still runs any $(…) in the values. */
  private assignmentOnly(as: Node[]) {
    this.commands.push({ words: [], assignments: as.map((a) => this.assignment(a)), redirects: [], stdin: null, stdinText: null, text: as.map((a) => a.text).join(' ') });
  }

  /** declare/export/local/readonly/typeset/unset: the keyword, its operands and assignments. */
  private declaration(n: Node) {
    const keyword = n.child(0)?.text ?? 'declare';
    const words: Word[] = [{ value: keyword, glob: false, source: keyword }];
    const assignments: SimpleCommand['assignments'] = [];
    for (const c of named(n)) {
      if (c.type === 'variable_assignment') assignments.push(this.assignment(c));
      else words.push(this.word(c));
    }
    this.commands.push({ words, assignments, redirects: [], stdin: null, stdinText: null, text: n.text });
  }

  /** Quote removal on one word; nested commands inside it are walked as commands of their own. */
  word(n: Node): Word {
    const parts = this.wordParts(n);
    return { value: parts.dynamic ? null : parts.text, glob: parts.glob, source: n.text };
  }

  private wordParts(n: Node): { text: string; dynamic: boolean; glob: boolean } {
    switch (n.type) {
      case 'word': case 'number': {
        const t = n.text;
        const glob = /(^|[^\\])[*?[]/.test(t) || /(^|[^\\])\{[^}]*(,|\.\.)[^}]*\}/.test(t);
        // A leading ~ is the sandbox's HOME, the workspace itself.
        const tilde = t === '~' ? '/workspace' : t.startsWith('~/') ? `/workspace${t.slice(1)}` : t.startsWith('~') ? null : t;
        if (tilde === null) return { text: t, dynamic: true, glob };
        return { text: unescapeWord(tilde), dynamic: false, glob };
      }
      case 'raw_string': return { text: n.text.slice(1, -1), dynamic: false, glob: false };
      // unset NAME: a bare name is literal text.
      case 'variable_name': return { text: n.text, dynamic: false, glob: false };
      case 'ansi_c_string': {
        const decoded = decodeAnsiC(n.text.slice(2, -1));
        return decoded === null ? { text: n.text, dynamic: true, glob: false } : { text: decoded, dynamic: false, glob: false };
      }
      case 'string': {
        let text = '';
        let dynamic = false;
        const inner = n.text.slice(1, -1);
        const kids = named(n);
        if (!kids.length) return { text: unescapeDouble(inner), dynamic: false, glob: false };
        for (const k of kids) {
          if (k.type === 'string_content') text += unescapeDouble(k.text);
          else { dynamic = true; this.node(k, this.stdinNow); }
        }
        // string_content nodes drop nothing but may not cover every byte; fall back to the raw inner text.
        if (!dynamic) text = unescapeDouble(inner);
        return { text, dynamic, glob: false };
      }
      case 'concatenation': {
        let text = ''; let dynamic = false; let glob = false;
        for (const k of named(n)) {
          const p = this.wordParts(k);
          text += p.text; dynamic ||= p.dynamic; glob ||= p.glob;
        }
        // Brace expansion split across nodes: {a,b}
        if (/\{[^}]*,[^}]*\}/.test(n.text)) glob = true;
        return { text, dynamic, glob };
      }
      case 'brace_expression': return { text: n.text, dynamic: false, glob: true };
      case 'command_substitution': case 'process_substitution': case 'expansion': case 'arithmetic_expansion': case 'simple_expansion':
        this.node(n, this.stdinNow);
        return { text: n.text, dynamic: true, glob: false };
      default:
        this.node(n);
        return { text: n.text, dynamic: true, glob: false };
    }
  }
}

/** stdin a redirect gives a compound statement, as far as can be told without a walk. */
function redirectedStdin(redirects: Node[]): SimpleCommand['stdin'] {
  for (const r of redirects) {
    if (r.type === 'heredoc_redirect') return 'heredoc';
    if (r.type === 'herestring_redirect') return 'herestring';
    const op = r.children.filter((c): c is Node => !!c && !c.isNamed).map((c) => c.text).join('');
    if (op.startsWith('<') && !op.includes('&')) {
      const dest = r.childForFieldName('destination');
      return !dest || dest.type !== 'word' || /^\/(dev|proc)\//.test(dest.text) ? 'pipe' : 'file';
    }
  }
  return null;
}

/** `< /dev/stdin`, `< <(curl …)`, `< "$f"`: input whose content the line does not show. */
function readsUnknownInput(target: Word): boolean {
  return target.value === null || /^\/(dev|proc)\//.test(target.value);
}

function named(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => !!c);
}
function firstNamed(n: Node): Node | null { return named(n)[0] ?? null; }
function lastNamed(n: Node): Node | null { const k = named(n); return k[k.length - 1] ?? null; }

/** The first descendant of a type, depth first; iterative, since a hostile line can nest deeply. */
function findDescendant(n: Node, type: string): Node | null {
  const stack = named(n).reverse();
  while (stack.length) {
    const c = stack.pop()!;
    if (c.type === type) return c;
    stack.push(...named(c).reverse());
  }
  return null;
}

function hasExpansion(n: Node): boolean {
  return named(n).some((c) => c.type !== 'heredoc_content' && c.type !== 'heredoc_end');
}

function heredocText(body: Node): string {
  return named(body).filter((c) => c.type !== 'heredoc_end').map((c) => c.text).join('') || body.text.replace(/\n?[^\n]*$/, '');
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Unquoted word: a backslash quotes the next character. */
function unescapeWord(s: string): string {
  return s.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}

/** Inside "…" a backslash only quotes $ ` " \ and newline. */
function unescapeDouble(s: string): string {
  return s.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** $'…' escapes; null for the ones we do not decode (\c…), which then count as not understood. */
function decodeAnsiC(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== '\\') { out += ch; continue; }
    const next = s[++i];
    if (next === undefined) return null;
    if (next in SIMPLE_ESCAPES) { out += SIMPLE_ESCAPES[next]; continue; }
    const hex = next === 'x' ? /^[0-9a-fA-F]{1,2}/ : next === 'u' ? /^[0-9a-fA-F]{1,4}/ : next === 'U' ? /^[0-9a-fA-F]{1,8}/ : null;
    if (hex) {
      const m = hex.exec(s.slice(i + 1));
      if (!m) return null;
      out += String.fromCodePoint(parseInt(m[0], 16));
      i += m[0].length;
      continue;
    }
    const oct = /^[0-7]{1,3}/.exec(s.slice(i));
    if (oct) { out += String.fromCharCode(parseInt(oct[0], 8)); i += oct[0].length - 1; continue; }
    return null;
  }
  return out;
}
