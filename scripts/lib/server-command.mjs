// How production runs the server, in one place: `npm start` and the benchmarks that measure it
// (the Dockerfile's CMD and ENV mirror it; a test checks they agree).
import { SERVER_OUT } from './build-server.mjs';

/**
 * V8's young generation grows to 3 × 16 MiB semi-spaces under allocation bursts (a terminal
 * flood, start-up) and is returned only much later: at idle it held 32 MiB with 1.2 MiB in use,
 * and a 100 MiB flood grew the server by ~16 MiB that stayed. Capped at 4 MiB semi-spaces the
 * server idles ~25 MiB smaller and a flood grows it by a few MiB (docs/benchmarks.md, issue 12);
 * scavenges are more frequent but each is as short (their cost follows what survives).
 */
export const PRODUCTION_NODE_ARGS = ['--max-semi-space-size=4', `${SERVER_OUT}/main.js`];

/**
 * glibc keeps up to 8 malloc arenas per core and returns freed memory lazily: after start-up
 * ~100 MiB of the idle server was freed-but-kept arena memory (docs/benchmarks.md, issue 12).
 * An operator's own settings win (spread the environment after these).
 */
export const PRODUCTION_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };
