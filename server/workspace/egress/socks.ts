// The SOCKS5 half of the egress proxy (RFC 1928, no authentication, CONNECT only): for clients
// that only speak SOCKS (ALL_PROXY=socks5h://…). It only reads the destination; the proxy
// decides about it exactly as about an HTTP CONNECT.
import type { Duplex } from 'node:stream';

export const SOCKS_VERSION = 5;
const NO_AUTH = 0x00;
const NO_ACCEPTABLE_METHOD = 0xff;
const CMD_CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAIN = 0x03;
const ATYP_IPV6 = 0x04;
/** Limits what a client can make us buffer before it has named a destination. */
const MAX_HANDSHAKE_BYTES = 600;

export const SocksReply = { succeeded: 0x00, failure: 0x01, notAllowed: 0x02, hostUnreachable: 0x04, refused: 0x05, commandNotSupported: 0x07, addressNotSupported: 0x08 } as const;

/** Reads exactly what it needs from a socket, starting with bytes already read. */
class Reader {
  private buf: Buffer;
  private waiting: (() => void) | null = null;
  private ended = false;
  constructor(private readonly socket: Duplex, first: Buffer) {
    this.buf = first;
    socket.on('data', this.onData);
    socket.once('end', this.onEnd);
    socket.once('close', this.onEnd);
    socket.resume();
  }
  private onData = (d: Buffer) => {
    this.buf = Buffer.concat([this.buf, d]);
    if (this.buf.length > MAX_HANDSHAKE_BYTES) this.socket.destroy();
    this.waiting?.();
  };
  private onEnd = () => { this.ended = true; this.waiting?.(); };
  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new Error('the client closed during the SOCKS handshake');
      await new Promise<void>((resolve) => { this.waiting = resolve; });
      this.waiting = null;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  /** Hands the socket back with anything read past the handshake. */
  release(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.pause();
    if (this.buf.length) this.socket.unshift(this.buf);
  }
}

/** The destination a client asks for; null when it spoke something else (the socket is then answered and closed). */
export async function readSocksRequest(socket: Duplex, first: Buffer): Promise<{ host: string; port: number } | null> {
  const r = new Reader(socket, first);
  try {
    const [version, nMethods] = await r.take(2);
    const methods = await r.take(nMethods!);
    if (version !== SOCKS_VERSION || !methods.includes(NO_AUTH)) {
      socket.end(Buffer.from([SOCKS_VERSION, NO_ACCEPTABLE_METHOD]));
      return null;
    }
    socket.write(Buffer.from([SOCKS_VERSION, NO_AUTH]));
    const [, cmd, , atyp] = await r.take(4);
    let host: string;
    if (atyp === ATYP_IPV4) host = [...(await r.take(4))].join('.');
    else if (atyp === ATYP_DOMAIN) host = (await r.take((await r.take(1))[0]!)).toString('latin1');
    else if (atyp === ATYP_IPV6) host = ((await r.take(16)).toString('hex').match(/.{4}/g) ?? []).join(':');
    else {
      replySocks(socket, SocksReply.addressNotSupported);
      return null;
    }
    const port = (await r.take(2)).readUInt16BE(0);
    if (cmd !== CMD_CONNECT) {
      replySocks(socket, SocksReply.commandNotSupported);
      return null;
    }
    r.release();
    return { host, port };
  } catch {
    socket.destroy();
    return null;
  }
}

/** The reply to a CONNECT; anything but success closes the connection. */
export function replySocks(socket: Duplex, code: number): void {
  const reply = Buffer.from([SOCKS_VERSION, code, 0x00, ATYP_IPV4, 0, 0, 0, 0, 0, 0]);
  if (code === SocksReply.succeeded) socket.write(reply);
  else socket.end(reply);
}
