// Which statements talk about the same choice. "Use Postgres" and "switch to SQLite after all"
// share no words, yet the second replaces the first: both name an option of one kind (a
// database). A small table of interchangeable options catches the common cases; the model
// extraction route, when configured, catches the rest.

const OPTIONS: Record<string, string[]> = {
  database: ['postgres', 'postgresql', 'sqlite', 'mysql', 'mariadb', 'mongodb', 'dynamodb', 'cockroachdb'],
  'package manager': ['npm', 'pnpm', 'yarn', 'bun'],
  'test runner': ['vitest', 'jest', 'mocha', 'ava', 'pytest', 'unittest'],
  'browser testing': ['playwright', 'cypress', 'puppeteer', 'selenium'],
  language: ['typescript', 'javascript', 'python', 'rust', 'java', 'kotlin'],
  styling: ['tailwind', 'sass', 'scss', 'styled-components', 'emotion'],
  'ui framework': ['react', 'vue', 'svelte', 'angular', 'solid'],
  'http framework': ['express', 'fastify', 'koa', 'hono', 'nestjs'],
  orm: ['prisma', 'drizzle', 'typeorm', 'sequelize', 'knex'],
  indentation: ['tabs', 'spaces'],
  'module format': ['esm', 'commonjs'],
  logger: ['pino', 'winston', 'bunyan'],
  bundler: ['webpack', 'vite', 'esbuild', 'rollup', 'turbopack', 'parcel'],
  'date library': ['moment', 'dayjs', 'date-fns', 'luxon'],
  cache: ['redis', 'memcached'],
  'api style': ['rest', 'graphql', 'grpc', 'trpc'],
  'cloud provider': ['aws', 'gcp', 'azure'],
};
/** Spellings of one option that are the same choice. */
const SAME: Record<string, string> = { postgresql: 'postgres', scss: 'sass' };

const optionKind = new Map<string, string>();
for (const [kind, names] of Object.entries(OPTIONS)) for (const n of names) optionKind.set(n, kind);

const STOP = new Set('a an the to of in on for and or but with we you i it is are be this that from now use using should must never always not no do don\'t let\'s our all any after instead rather than switch back decided go actually let'.split(' '));

export function normalizeText(s: string): string {
  // Hyphens inside a word stay: "date-fns" and "styled-components" are names.
  return s.toLowerCase().replace(/[^\p{L}\p{N}\s-]|(?<![\p{L}\p{N}])-|-(?![\p{L}\p{N}])/gu, ' ').replace(/\s+/g, ' ').trim();
}

export function contentWords(s: string): Set<string> {
  return new Set(normalizeText(s).split(' ').filter((w) => w.length > 2 && !STOP.has(w)));
}

/** Options named in a statement, by kind: { database: 'postgres' }. */
export function optionsNamed(s: string): Map<string, Set<string>> {
  const named = new Map<string, Set<string>>();
  for (const w of normalizeText(s).split(' ')) {
    const kind = optionKind.get(w);
    if (!kind) continue;
    if (!named.has(kind)) named.set(kind, new Set());
    named.get(kind)!.add(SAME[w] ?? w);
  }
  return named;
}

/**
 * Whether the later statement picks a different option of a kind the earlier one chose, for the
 * same purpose: "SQLite for the cache" does not replace "Postgres for the main store", while a
 * bare "switch to SQLite after all" (no purpose of its own) replaces any database choice.
 */
export function conflictsWith(next: string, prior: string): boolean {
  const a = optionsNamed(next);
  const b = optionsNamed(prior);
  for (const [kind, chosen] of a) {
    const before = b.get(kind);
    // "use X instead of Y" names both; the choice is the first option it names.
    if (before && !before.has([...chosen][0]!) && samePurpose(next, prior)) return true;
  }
  return false;
}

function samePurpose(next: string, prior: string): boolean {
  const purpose = (s: string) => new Set([...contentWords(s)].filter((w) => !optionKind.has(w) && !optionKind.has(SAME[w] ?? '')));
  const a = purpose(next);
  const b = purpose(prior);
  return !a.size || !b.size || [...a].some((w) => b.has(w));
}
