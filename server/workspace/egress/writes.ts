// Which requests inside a terminated tunnel write: allowing a host for fetching must not allow
// pushing or publishing to it. Errs towards asking: any method that is not a read is a write,
// except git's fetch (a POST that only reads).

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Write {
  /** A push is two requests (the ref listing, then the pack): one approval covers both on a connection. */
  push: boolean;
  /** What the request would do, in words for the approval prompt. */
  what: string;
}

/** Null when the request only reads. */
export function classifyWrite(method: string, host: string, pathAndQuery: string): Write | null {
  const m = method.toUpperCase();
  const url = new URL(pathAndQuery, 'https://x');
  const other = (what: string) => ({ push: false, what });
  if (url.pathname.endsWith('/git-receive-pack')) return { push: true, what: `git push to ${host}` };
  if (url.pathname.endsWith('/info/refs') && url.searchParams.get('service') === 'git-receive-pack') return { push: true, what: `git push to ${host}` };
  if (READ_METHODS.has(m)) return null;
  if (m === 'POST' && url.pathname.endsWith('/git-upload-pack')) return null;
  if (m === 'PUT' && /(^|\.)(npmjs\.org|yarnpkg\.com)$/.test(host)) return other(`package publish to ${host}`);
  if (host === 'upload.pypi.org' || url.pathname.startsWith('/api/v1/crates/new')) return other(`package upload to ${host}`);
  return other(`${m} ${url.pathname} on ${host}`);
}
