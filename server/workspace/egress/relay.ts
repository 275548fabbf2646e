// The sandbox half of the egress path. A sandbox with network "on" still has its own empty
// network namespace (loopback only); the host's egress proxy socket is bind-mounted in, and a
// socat relay listening on the sandbox's own 127.0.0.1:3128 forwards to it, because most
// clients (npm, pip, git, curl) only speak to a TCP proxy. Same design as sandbox-runtime's.

/** Where the proxy's Unix socket appears inside a sandbox. */
export const SANDBOX_EGRESS_SOCKET = '/run/tether/egress.sock';
export const SANDBOX_PROXY_PORT = 3128;
const PROXY_URL = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;

/** Both spellings: curl and Python read lower case, others upper. npm and git read these too. */
export const PROXY_ENV: Record<string, string> = {
  HTTP_PROXY: PROXY_URL, HTTPS_PROXY: PROXY_URL, http_proxy: PROXY_URL, https_proxy: PROXY_URL,
  // A dev server inside the sandbox is reached directly, not through the host.
  NO_PROXY: 'localhost,127.0.0.1,::1', no_proxy: 'localhost,127.0.0.1,::1',
};

/** 127.0.0.1:3128 in /proc/net/tcp's hex, in state LISTEN (0A). */
const LISTENING = ` 0100007F:${SANDBOX_PROXY_PORT.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`;
/** socat listens within a few milliseconds; give up waiting after ~2 s and let the command run anyway. */
const READY_POLLS = 400;

/**
 * Wraps a sandboxed command so the relay is listening before it starts. The relay dies with the
 * sandbox: bwrap's pid namespace ends when the command (its only direct child) exits.
 */
export function withRelay(socat: string, command: string[]): string[] {
  const script = [
    `${socat} TCP-LISTEN:${SANDBOX_PROXY_PORT},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${SANDBOX_EGRESS_SOCKET} </dev/null >/dev/null 2>&1 &`,
    `i=0; while ! grep -q '${LISTENING}' /proc/net/tcp 2>/dev/null; do i=$((i+1)); [ "$i" -gt ${READY_POLLS} ] && break; sleep 0.005; done`,
    'exec "$@"',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'tether-egress', ...command];
}
