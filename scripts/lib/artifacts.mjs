// What would ship, checked by one scanner with two uses:
// - Tether's own release (`npm run check:artifacts`): the Next build output (.next/, less its
//   cache) and the Docker build context as .dockerignore leaves it;
// - a user's package (`releaseCheck`, the agent's release_check tool and the IDE's "Release
//   check"): what `npm pack` would publish, or a named build folder. The server runs it inside
//   the workspace's sandbox as the workspace uid (it imports only Node built-ins for that reason).
// Each file must be on an allowlist and carry no source map, private key, token-shaped secret or
// internal host name. (A coding agent's source once leaked through a shipped map.)
import { execFileSync } from 'node:child_process';
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
  /^scripts\/lib\/(build-worker|build-server|artifacts)\.mjs$/,
  /^scripts\/lib\/monaco-workers-loader\.cjs$/,
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

export function walk(dir, base = dir, out = [], skipDir = () => false) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) { if (!skipDir(path.relative(base, full).split(path.sep).join('/'))) walk(full, base, out, skipDir); }
    else if (e.isFile() || e.isSymbolicLink()) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

export function globToRegExp(glob) {
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

function scanContent(full, shown, problems, patterns = SECRET_PATTERNS) {
  if (statSync(full).size > MAX_SCANNED_BYTES) return;
  const text = readFileSync(full, 'latin1');
  for (const [what, re] of patterns) if (re.test(text)) problems.push({ path: shown, problem: what });
}

/** "corp.example" matches that name; "*.corp.example" any name below it. */
export function internalHostPatterns(hosts) {
  return hosts.map((h) => {
    const wildcard = h.startsWith('*.');
    const name = (wildcard ? h.slice(2) : h).replace(/[.+^${}()|[\]\\]/g, '\\$&');
    const re = wildcard ? `(?<![A-Za-z0-9-])(?:[A-Za-z0-9-]+\\.)+${name}(?![A-Za-z0-9-])` : `(?<![A-Za-z0-9.-])${name}(?![A-Za-z0-9-])`;
    return [`internal host name ${h}`, new RegExp(re, 'i')];
  });
}

/** npm ships these whatever "files" says. */
const NPM_ALWAYS = [/^package\.json$/, /^(README|LICEN[CS]E|COPYING|NOTICE|CHANGELOG)(\..*)?$/i];
export const RELEASE_ALLOW_FILE = '.tether/release-allow';

/**
 * The package's allowlist: `.tether/release-allow` (one glob per line) if present, else "files"
 * in package.json (a name covers what is below it, as npm reads it); null when there is neither.
 */
export function releaseAllowlist(root) {
  const allowFile = path.join(root, RELEASE_ALLOW_FILE);
  let from = null;
  let globs = [];
  if (existsSync(allowFile)) {
    from = RELEASE_ALLOW_FILE;
    globs = readFileSync(allowFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  } else {
    const pkg = readPackageJson(root);
    if (Array.isArray(pkg?.files)) { from = 'package.json "files"'; globs = pkg.files.map(String); }
  }
  if (from === null) return null;
  const patterns = globs.flatMap((g) => {
    const clean = path.posix.normalize(g.replace(/^\.?\/+/, '')).replace(/\/$/, '');
    return [globToRegExp(clean), globToRegExp(`${clean}/**`)];
  });
  return { from, allows: (file) => NPM_ALWAYS.some((re) => re.test(file)) || patterns.some((re) => re.test(file)) };
}

function readPackageJson(root) {
  try { return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')); } catch { return null; }
}

/** Files `npm pack` would publish; lifecycle scripts are not run (the check must not execute the package). */
function packedFiles(root) {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
    // npm's cache and logs go to the sandbox's private /tmp, not into the workspace.
    env: { ...process.env, npm_config_cache: '/tmp/tether-release-npm-cache', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  const [pack] = JSON.parse(out);
  return pack.files.map((f) => f.path);
}

/**
 * What a package would ship and what is wrong with it. `dir`: inspect that folder (relative to
 * root) instead of running `npm pack --dry-run`.
 */
export function releaseCheck({ root, dir = null, internalHosts = [] }) {
  let files;
  let source;
  if (dir) {
    const base = path.join(root, dir);
    if (!existsSync(base) || !statSync(base).isDirectory()) throw new Error(`${dir} is not a folder in the workspace`);
    files = walk(base).map((f) => path.posix.join(dir, f));
    source = `folder ${dir}`;
  } else {
    if (!existsSync(path.join(root, 'package.json'))) throw new Error('there is no package.json at the workspace root; name a build folder to inspect instead');
    files = packedFiles(root);
    source = 'npm pack --dry-run';
  }
  const allow = releaseAllowlist(root);
  const patterns = [...SECRET_PATTERNS, ...internalHostPatterns(internalHosts)];
  const problems = [];
  if (!allow) problems.push({ path: 'package.json', problem: `no allowlist ("files" in package.json or ${RELEASE_ALLOW_FILE}): every file npm does not ignore ships` });
  for (const rel of files) {
    if (rel.endsWith('.map')) { problems.push({ path: rel, problem: 'source map file' }); continue; }
    if (allow && !allow.allows(rel)) problems.push({ path: rel, problem: `not on the release allowlist (${allow.from})` });
    scanContent(path.join(root, rel), rel, problems, patterns);
  }
  return { source, fileCount: files.length, allowlistFrom: allow?.from ?? null, problems };
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
