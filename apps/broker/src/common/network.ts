import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * A list of addresses and CIDR ranges (`127.0.0.1/32,10.0.0.0/8,::1/128`), for endpoints served
 * only to the operator network. IPv4 clients seen as `::ffff:a.b.c.d` match their IPv4 ranges.
 */
export function addressList(spec: string): BlockList {
  const list = new BlockList();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const [address, bits] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (!isIPv4(address) && !isIPv6(address)) throw new Error(`not an IP address: ${entry}`);
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

export function inList(list: BlockList, remote: string | undefined): boolean {
  if (!remote) return false;
  const v4 = remote.startsWith('::ffff:') ? remote.slice(7) : remote;
  if (isIPv4(v4)) return list.check(v4, 'ipv4');
  return isIPv6(remote) && list.check(remote, 'ipv6');
}
