// Which requests inside a terminated tunnel write: allowing a host for fetching must not allow
// pushing or publishing to it. Errs towards asking: any method that is not a read is a write,
// except git's fetch (a POST that only reads).

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the request would do, in words for the approval prompt; null when it only reads. */
export function classifyWrite(method: string, host: string, pathAndQuery: string): string | null {
  const m = method.toUpperCase();
  const url = new URL(pathAndQuery, 'https://x');
  if (url.pathname.endsWith('/git-receive-pack')) return `git push to ${host}`;
  if (url.pathname.endsWith('/info/refs') && url.searchParams.get('service') === 'git-receive-pack') return `git push to ${host} (listing refs to update)`;
  if (READ_METHODS.has(m)) return null;
  if (m === 'POST' && url.pathname.endsWith('/git-upload-pack')) return null;
  if (m === 'PUT' && /(^|\.)(npmjs\.org|yarnpkg\.com)$/.test(host)) return `package publish to ${host}`;
  if (host === 'upload.pypi.org' || url.pathname.startsWith('/api/v1/crates/new')) return `package upload to ${host}`;
  return `${m} ${url.pathname} on ${host}`;
}
