// Go's `net.ParseIP`, `net.ParseCIDR`, `IPNet.String()` and kops's pkg/util/subnet `Overlap` /
// `BelongsTo`, as kops's validation uses them (kubernetes/kops @268927e). Pure: no node:net.

/** A parsed IP: 4 or 16 bytes, as Go's `net.IP` (IPv4 parsed from text is 4 bytes here). */
export interface GoIP {
  bytes: number[];
}

/** A parsed network, as Go's `*net.IPNet`: the masked address and the prefix length. */
export interface GoIPNet {
  ip: number[];
  ones: number;
  bits: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function parseIPv4(text: string): number[] | undefined {
  return IPV4.test(text) ? text.split('.').map(Number) : undefined;
}

function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let body = text;
  if (text.includes('.')) {
    // A trailing dotted quad stands for the last two groups.
    const last = text.lastIndexOf(':');
    const v4 = parseIPv4(text.slice(last + 1));
    if (v4 === undefined) return undefined;
    const word = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    body = `${text.slice(0, last + 1)}${word(v4[0]!, v4[1]!)}:${word(v4[2]!, v4[3]!)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...rest].some((w) => !/^[0-9a-fA-F]{1,4}$/.test(w))) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = halves.length === 2 ? [...head, ...Array<string>(missing).fill('0'), ...rest] : head;
  return words.flatMap((w) => [parseInt(w, 16) >> 8, parseInt(w, 16) & 0xff]);
}

/** Go's `net.ParseIP`: IPv4 dotted quads (no leading zeros), IPv6 without zones. */
export function parseIP(text: string): GoIP | undefined {
  const bytes = text.includes(':') ? parseIPv6(text) : parseIPv4(text);
  return bytes === undefined ? undefined : { bytes };
}

/** Go's `ip.To4() != nil`: IPv4, or IPv6 mapping an IPv4 address. */
export function isIPv4(ip: GoIP): boolean {
  if (ip.bytes.length === 4) return true;
  return ip.bytes.slice(0, 10).every((b) => b === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff;
}

/** Go's `net.ParseCIDR`: the address as written and its network, or undefined on a parse error. */
export function parseCIDRGo(text: string): { ip: GoIP; net: GoIPNet } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const mask = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,3}$/.test(mask)) return undefined;
  const bits = ip.bytes.length * 8;
  const ones = Number(mask);
  if (ones > bits) return undefined;
  return { ip, net: { ip: maskBytes(ip.bytes, ones), ones, bits } };
}

function maskBytes(bytes: readonly number[], ones: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, ones - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
}

/** Go's `ip.Equal(ipNet.IP)`. */
export function sameIP(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Go's `IP.String()`: dotted quad, or RFC 5952 IPv6. */
export function formatIP(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [bestStart, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** Go's `IPNet.String()`: `10.0.0.0/16`. */
export function formatIPNet(n: GoIPNet): string {
  return `${formatIP(n.ip)}/${n.ones}`;
}

/** Go's `IPNet.Contains(ip)`: an IPv4 address (mapped or not) is never within an IPv6 network. */
export function netContains(n: GoIPNet, ip: readonly number[]): boolean {
  const v = to4(ip);
  const network = to4(n.ip);
  if (v.length !== network.length) return false;
  const ones = network.length === n.ip.length ? n.ones : n.ones - 96;
  return sameIP(maskBytes(v, ones), network);
}

/** Go's `To4()` where it succeeds, else the address as it is. */
function to4(ip: readonly number[]): number[] {
  if (ip.length === 16 && isIPv4({ bytes: [...ip] })) return ip.slice(12);
  return [...ip];
}

/** kops pkg/util/subnet `Overlap`: false when either is absent. */
export function overlap(l: GoIPNet | undefined, r: GoIPNet | undefined): boolean {
  if (l === undefined || r === undefined) return false;
  return netContains(l, r.ip) || netContains(r, l.ip);
}

/** kops pkg/util/subnet `BelongsTo`: `child` lies within `parent`. */
export function belongsTo(parent: GoIPNet, child: GoIPNet): boolean {
  if (parent.bits !== child.bits || parent.ones > child.ones) return false;
  return sameIP(maskBytes(child.ip, parent.ones), parent.ip);
}

/** Go's `IP.IsPrivate()` (RFC 1918, RFC 4193). */
export function isPrivateIP(bytes: readonly number[]): boolean {
  if (bytes.length === 4) {
    const [a, b] = bytes as [number, number];
    return a === 10 || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168);
  }
  return (bytes[0]! & 0xfe) === 0xfc;
}

/** kops upup/pkg/fi/utils `IsIPv6CIDR`: parses as a CIDR and is not IPv4. */
export function isIPv6CIDR(text: string): boolean {
  const parsed = parseCIDRGo(text);
  return parsed !== undefined && !isIPv4(parsed.ip);
}
