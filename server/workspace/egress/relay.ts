// The sandbox half of the egress path. A sandbox with network "on" still has its own empty
// network namespace (loopback only); the directory holding the host's egress proxy socket is
// bind-mounted in (read-only), and a
// socat relay listening on the sandbox's own 127.0.0.1:3128 forwards to it, because most
// clients (npm, pip, git, curl) only speak to a TCP proxy. Same design as sandbox-runtime's.

/**
 * The proxy's socket is the only entry of its own directory, and the directory (not the file) is
 * bound in: a restarted server re-creates the socket in the same directory, which a surviving
 * workspace host still sees — a bound file would stay the old, dead inode.
 */
export const EGRESS_SOCKET_NAME = 'e.sock';
/** Where that directory appears inside a sandbox. */
export const SANDBOX_EGRESS_DIR = '/run/tether/egress';
const SANDBOX_EGRESS_SOCKET = `${SANDBOX_EGRESS_DIR}/${EGRESS_SOCKET_NAME}`;
export const SANDBOX_PROXY_PORT = 3128;
/** The workspace CA followed by the system bundle (egress/ca.ts), where the sandbox's clients look for it. */
export const SANDBOX_CA_BUNDLE = '/run/tether/ca-bundle.pem';

/** Every client's own name for "trust this bundle"; each replaces (not extends) its roots, hence the system bundle inside. */
export const CA_ENV: Record<string, string> = {
  NODE_EXTRA_CA_CERTS: SANDBOX_CA_BUNDLE, SSL_CERT_FILE: SANDBOX_CA_BUNDLE, CURL_CA_BUNDLE: SANDBOX_CA_BUNDLE,
  GIT_SSL_CAINFO: SANDBOX_CA_BUNDLE, npm_config_cafile: SANDBOX_CA_BUNDLE, REQUESTS_CA_BUNDLE: SANDBOX_CA_BUNDLE, PIP_CERT: SANDBOX_CA_BUNDLE,
};
const PROXY_URL = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;

/** Both spellings: curl and Python read lower case, others upper. npm and git read these too. */
export const PROXY_ENV: Record<string, string> = {
  HTTP_PROXY: PROXY_URL, HTTPS_PROXY: PROXY_URL, http_proxy: PROXY_URL, https_proxy: PROXY_URL,
  // The same port answers SOCKS5 too (the proxy tells them apart); socks5h: the proxy resolves names.
  ALL_PROXY: `socks5h://127.0.0.1:${SANDBOX_PROXY_PORT}`, all_proxy: `socks5h://127.0.0.1:${SANDBOX_PROXY_PORT}`,
  // A dev server inside the sandbox is reached directly, not through the host.
  NO_PROXY: 'localhost,127.0.0.1,::1', no_proxy: 'localhost,127.0.0.1,::1',
};

/** 127.0.0.1:3128 as /proc/net/tcp writes it. */
const LOCAL = `0100007F:${SANDBOX_PROXY_PORT.toString(16).toUpperCase().padStart(4, '0')}`;
/**
 * socat listens within milliseconds. The wait reads /proc/net/tcp (a few lines in the sandbox's
 * own namespace) with shell builtins only — spawning grep and sleep per poll cost ~50 ms a process.
 * After this many polls the command runs anyway (its first connection may then be refused).
 */
const READY_POLLS = 20_000;

/**
 * Wraps a sandboxed command so the relay is listening before it starts. The relay dies with the
 * sandbox: bwrap's pid namespace ends when the command (its only direct child) exits.
 */
export function withRelay(socat: string, command: string[]): string[] {
  const script = [
    `${socat} TCP-LISTEN:${SANDBOX_PROXY_PORT},bind=127.0.0.1,fork,reuseaddr,nodelay UNIX-CONNECT:${SANDBOX_EGRESS_SOCKET} </dev/null >/dev/null 2>&1 &`,
    `i=0; while [ "$i" -lt ${READY_POLLS} ]; do`,
    `  while read -r _ l _ st _; do [ "$l" = ${LOCAL} ] && [ "$st" = 0A ] && break 2; done < /proc/net/tcp`,
    '  i=$((i+1))',
    'done',
    'exec "$@"',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'tether-egress', ...command];
}
