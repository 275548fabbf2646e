// What would ship: the Next build output (.next/, less its cache) and the Docker build context
// as .dockerignore leaves it. Each file must be on an allowlist and carry no source map,
// private key or token-shaped secret. (A coding agent's source once leaked through a shipped map.)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Files a Next production build legitimately contains. */
const NEXT_ALLOWED = /^(BUILD_ID|turbopack|package\.json|.*\.(js|mjs|cjs|json|css|html|rsc|meta|body|woff2?|ttf|svg|png|jpe?g|gif|webp|avif|ico|txt))$/;
/** Never shipped even where they would be allowed, because they leak the build machine. */
const NEXT_DENIED = [/^cache\//, /^trace/, /^types\//, /^diagnostics\//, /^dev\//];

/** Top-level entries the Docker image is built from; everything else must be ignored. */
const DOCKER_ALLOWED = [
  /^(package\.json|package-lock\.json|next\.config\.mjs|tsconfig\.json)$/,
  /^(app|server|prisma|public)\//,
  /^scripts\/lib\/build-worker\.mjs$/,
];

const SECRET_PATTERNS = [
  ['private key', /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/],
  ['source map reference', /[#@] ?sourceMappingURL=/],
  ['OpenAI-style API key', /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}/],
  ['GitHub token', /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{60,}/],
  ['AWS access key id', /\bAKIA[0-9A-Z]{16}\b/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['GitLab token', /\bglpat-[A-Za-z0-9_-]{20}\b/],
  ['npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
];

/** Larger files are binaries (fonts, images); their names are still checked. */
const MAX_SCANNED_BYTES = 8 * 1024 * 1024;

function walk(dir, base = dir, out = [], skipDir = () => false) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) { if (!skipDir(path.relative(base, full).split(path.sep).join('/'))) walk(full, base, out, skipDir); }
    else if (e.isFile() || e.isSymbolicLink()) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Docker's rules: last matching pattern wins; a pattern also matches everything below a matched directory. */
export function dockerignoreFilter(text) {
  const rules = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const pattern = path.posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, '')).replace(/\/$/, '');
    return { negate, re: globToRegExp(pattern) };
  });
  return (file) => {
    const prefixes = file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const r of rules) if (prefixes.some((p) => r.re.test(p))) ignored = !r.negate;
    return ignored;
  };
}

function scanContent(full, shown, problems) {
  if (statSync(full).size > MAX_SCANNED_BYTES) return;
  const text = readFileSync(full, 'latin1');
  for (const [what, re] of SECRET_PATTERNS) if (re.test(text)) problems.push({ path: shown, problem: what });
}

/** Returns every offending path with the reason; empty when what would ship is clean. */
export function scanArtifacts(root) {
  const problems = [];
  const nextDir = path.join(root, '.next');
  for (const rel of walk(nextDir)) {
    if (rel.startsWith('cache/')) continue;
    const shown = `.next/${rel}`;
    if (rel.endsWith('.map')) problems.push({ path: shown, problem: 'source map file' });
    else if (NEXT_DENIED.some((re) => re.test(rel)) || !NEXT_ALLOWED.test(path.posix.basename(rel))) problems.push({ path: shown, problem: 'not on the build-output allowlist' });
    else scanContent(path.join(nextDir, rel), shown, problems);
  }

  const ignoreFile = path.join(root, '.dockerignore');
  if (!existsSync(ignoreFile)) problems.push({ path: '.dockerignore', problem: 'missing: the whole repository would be the Docker build context' });
  const ignored = dockerignoreFilter(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '');
  // Large trees that .dockerignore excludes are not walked file by file.
  const skipDir = (rel) => /^(node_modules|\.git|\.next)$/.test(rel) && ignored(`${rel}/x`);
  for (const rel of walk(root, root, [], skipDir)) {
    if (ignored(rel)) continue;
    if (rel.endsWith('.map')) problems.push({ path: rel, problem: 'source map file in the Docker context' });
    else if (!DOCKER_ALLOWED.some((re) => re.test(rel))) problems.push({ path: rel, problem: 'in the Docker context but not on its allowlist' });
    else scanContent(path.join(root, rel), rel, problems);
  }
  return problems;
}
