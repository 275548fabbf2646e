// Addresses no workspace may reach through the egress proxy, whatever a rule or a person allows:
// the host itself (loopback and its own interface addresses, where PostgreSQL, Redis and Tether
// listen), private and shared networks, link-local (cloud metadata at 169.254.169.254) and the
// special-purpose ranges. Checked on resolved addresses, never on names.
import net from 'node:net';
import os from 'node:os';

const IPV4_RANGES: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const IPV6_RANGES: [string, number][] = [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];

/** The ranges above plus every address of this host's interfaces (its public ones included). */
export function blockedAddresses(): net.BlockList {
  const list = new net.BlockList();
  for (const [a, p] of IPV4_RANGES) list.addSubnet(a, p, 'ipv4');
  for (const [a, p] of IPV6_RANGES) list.addSubnet(a, p, 'ipv6');
  for (const infos of Object.values(os.networkInterfaces())) {
    for (const i of infos ?? []) list.addAddress(unmapped(i.address), net.isIPv4(unmapped(i.address)) ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** ::ffff:10.0.0.1 is 10.0.0.1 to the kernel, so it is judged as that. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

export function isBlocked(list: net.BlockList, address: string): boolean {
  const a = unmapped(address.replace(/^\[|\]$/g, ''));
  const family = net.isIP(a);
  if (family === 0) return true;
  return list.check(a, family === 4 ? 'ipv4' : 'ipv6');
}
