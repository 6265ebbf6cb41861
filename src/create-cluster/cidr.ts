import { StateStoreError } from '../errors.js';

/** An IPv4 CIDR as a 32-bit base address and a prefix length. */
export interface Cidr4 {
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr4 {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix > 32) {
    throw new StateStoreError('InvalidArgument', `invalid IPv4 CIDR ${JSON.stringify(text)}`);
  }
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base, prefix };
}

export function formatCidr(c: Cidr4): string {
  const o = [24, 16, 8, 0].map((s) => Math.floor(c.base / 2 ** s) % 256);
  return `${o.join('.')}/${c.prefix}`;
}

/** Splits a CIDR into 2^bits equal children, in address order. */
export function splitCidr(c: Cidr4, bits: number): Cidr4[] {
  const prefix = c.prefix + bits;
  if (prefix > 32)
    throw new StateStoreError('InvalidArgument', `cannot split ${formatCidr(c)} into ${2 ** bits} subnets`);
  const size = 2 ** (32 - prefix);
  return Array.from({ length: 2 ** bits }, (_, i) => ({ base: c.base + i * size, prefix }));
}

/** The number of bits needed to hold `n` pieces (0 for one). */
export function bitsFor(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}
