'use client';
// Model replies as GitHub-flavoured markdown (tables, task lists, links, strikethrough) through
// react-markdown: no raw HTML is rendered, links open elsewhere and only to http(s) or mailto,
// images are shown as their text (a reply must not make the browser fetch anything), and code
// blocks are coloured by Monaco, loaded only when a code block appears.
import { isValidElement, useEffect, useState, type ReactElement, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import './markdown.css';

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL when it is absolute with a safe protocol; '' otherwise (then the link is plain text). */
export function safeHref(url: string): string {
  try {
    return SAFE_PROTOCOLS.has(new URL(url).protocol) ? url : '';
  } catch {
    return '';
  }
}

const dark = () => {
  const t = document.documentElement.dataset.theme;
  return t ? t === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
};

function CodeBlock({ code, lang }: { code: string; lang: string | null }) {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    if (!lang) return;
    let current = true;
    import('./colorize.ts')
      .then((m) => m.colorizeCode(code, lang, dark()))
      .then((h) => { if (current) setHtml(h); })
      // Colouring is an extra: the plain text stays readable, and the console says why.
      .catch((err: unknown) => console.warn('Could not colour a code block', err));
    return () => { current = false; };
  }, [code, lang]);
  return (
    <pre className="md-code" data-lang={lang ?? undefined}>
      {/* Monaco's colorizer escapes the text (see colorize.ts); nothing from the reply is HTML. */}
      {html !== null ? <code dangerouslySetInnerHTML={{ __html: html }} /> : <code>{code}</code>}
    </pre>
  );
}

const components: Components = {
  a: ({ href, children }) => (href ? <a href={href} target="_blank" rel="noopener noreferrer">{children}</a> : <span>{children}</span>),
  img: ({ alt }) => <span className="md-image">{alt ? `[image: ${alt}]` : '[image]'}</span>,
  pre: ({ children }) => {
    const code = isValidElement(children) ? (children as ReactElement<{ className?: string; children?: ReactNode }>) : null;
    const text = typeof code?.props.children === 'string' ? code.props.children.replace(/\n$/, '') : '';
    const lang = /language-(\S+)/.exec(code?.props.className ?? '')?.[1] ?? null;
    return <CodeBlock code={text} lang={lang} />;
  },
  table: ({ children }) => <div className="md-table"><table>{children}</table></div>,
};

export function Markdown({ text }: { text: string }) {
  return (
    <div className="md">
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml urlTransform={safeHref} components={components}>{text}</ReactMarkdown>
    </div>
  );
}
