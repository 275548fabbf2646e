// Model replies (app/components/agent/Markdown.tsx) rendered as the browser gets them. Here rather
// than beside it: Vitest runs server/, scripts/ and test/.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown, safeHref } from '../app/components/agent/Markdown.tsx';

const render = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

describe('Markdown', () => {
  it('renders GitHub-flavoured markdown: tables, task lists, strikethrough, code', () => {
    const html = render('| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~ **new**\n\n```ts\nconst a = 1 < 2;\n```\n');
    expect(html).toContain('<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>');
    expect(html).toMatch(/<input type="checkbox" disabled="" checked=""\/> done/);
    expect(html).toContain('<del>old</del> <strong>new</strong>');
    // Before Monaco's colorizer loads (never, on the server), the code is plain escaped text.
    expect(html).toContain('<pre class="md-code" data-lang="ts"><code>const a = 1 &lt; 2;</code></pre>');
  });

  it('renders no raw HTML and no unsafe or remote-fetching links', () => {
    const html = render('Hi <b>bold</b> <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[bad](javascript:alert(1)) [rel](src/a.ts) [ok](https://example.com/a) [mail](mailto:a@b.c) ![pic](https://tracker.example/p.png)');
    expect(html).not.toMatch(/<(b|script|img)\b/);
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<span>bad</span>');
    expect(html).toContain('<span>rel</span>');
    expect(html).toContain('<a href="https://example.com/a" target="_blank" rel="noopener noreferrer">ok</a>');
    expect(html).toContain('<a href="mailto:a@b.c" target="_blank" rel="noopener noreferrer">mail</a>');
    expect(html).toContain('[image: pic]');
    expect(html).not.toContain('tracker.example');
  });
});

describe('safeHref', () => {
  it('allows absolute http, https and mailto URLs only', () => {
    expect(safeHref('https://a.example/x?y=1')).toBe('https://a.example/x?y=1');
    expect(safeHref('http://a.example')).toBe('http://a.example');
    expect(['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', 'vbscript:x', '//evil.example', '/local', 'file:///etc/passwd'].map(safeHref)).toEqual(['', '', '', '', '', '', '']);
  });
});
