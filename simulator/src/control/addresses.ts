/**
 * Loopback addresses for simulated hosts: `127.0.10.1`, `.2`, … `.254`, then `127.0.11.1`…
 * (skipping .0 and .255 so no address looks like a network or broadcast address). Linux routes
 * all of 127/8 to the loopback interface, so each host can listen on its own address.
 */
function toInt(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || parts[0] !== 127) {
    throw new Error(`address base must be an IPv4 loopback address (127.x.y.z), got "${address}"`);
  }
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function toText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function hostAddresses(base: string, count: number): string[] {
  const out: string[] = [];
  let n = toInt(base);
  while (out.length < count) {
    const last = n & 255;
    if (last !== 0 && last !== 255) out.push(toText(n));
    n += 1;
    if (n >>> 24 !== 127) throw new Error(`${count} hosts do not fit in 127/8 from ${base}`);
  }
  return out;
}
