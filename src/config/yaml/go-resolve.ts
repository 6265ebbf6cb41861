/*
 * How go-yaml v2 (go.yaml.in/yaml/v2 v2.4.2, used by sigs.k8s.io/yaml v1.6.0, kops's YAML library)
 * resolves a plain scalar: our own TypeScript following its rules (kops reads and writes every
 * state-store document through it: pkg/kopscodecs/codecs.go). Used both to read as kops reads and
 * to decide, when writing, which strings need quotes.
 */

/** What a plain scalar is to go-yaml v2. */
export type GoYamlKind = 'str' | 'int' | 'float' | 'bool' | 'null' | 'timestamp' | 'merge';

const MAP: Record<string, [GoYamlKind, unknown]> = {};
const put = (kind: GoYamlKind, value: unknown, words: string[]): void =>
  words.forEach((word) => (MAP[word] = [kind, value]));
put('bool', true, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
put('bool', false, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
put('null', null, ['', '~', 'null', 'Null', 'NULL']);
put('float', NaN, ['.nan', '.NaN', '.NAN']);
put('float', Infinity, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']);
put('float', -Infinity, ['-.inf', '-.Inf', '-.INF']);
put('merge', '<<', ['<<']);

// strconv.ParseInt(s, 0, 64) syntax (underscores are stripped before, as go-yaml does).
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// strconv.ParseFloat after a leading '.': a decimal fraction (the .inf/.nan words are in MAP).
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** go-yaml v2's `resolve("", s)`: the kind and Go value of the plain scalar `s` (kops: via sigs.k8s.io/yaml). */
export function goResolve(s: string): [GoYamlKind, unknown] {
  const known = MAP[s];
  if (known !== undefined) return known;
  const first = s.charAt(0);
  if (first === '.') return DOT_FLOAT.test(s) ? ['float', Number(s)] : ['str', s];
  if (!/^[-+0-9]$/.test(first)) return ['str', s];
  if (isGoTimestamp(s)) return ['timestamp', s];
  const plain = s.replace(/_/g, '');
  const int = parseGoInt(plain);
  if (int !== undefined) return ['int', int];
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = Number(plain);
    if (Number.isFinite(value)) return ['float', value]; // ParseFloat fails on overflow: then a string
  }
  if (/^-0b[01]+$/.test(plain)) return ['int', -parseInt(plain.slice(3), 2)];
  return ['str', s];
}

/** strconv.ParseInt/ParseUint(s, 0, 64) on an underscore-free string, as a JS number; undefined when Go fails. */
function parseGoInt(s: string): number | undefined {
  if (!GO_INT.test(s)) return undefined;
  const sign = s.startsWith('-') ? -1n : 1n;
  const body = s.replace(/^[-+]/, '');
  let value: bigint;
  if (/^0[oO]/.test(body)) value = BigInt(`0o${body.slice(2)}`);
  else if (/^0[0-7]+$/.test(body)) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body); // decimal, 0x and 0b are BigInt syntax too
  const signed = sign * value;
  if (signed < -(2n ** 63n) || signed > 2n ** 64n - 1n || (sign < 0n && signed > 0n)) return undefined;
  return Number(signed);
}

/** go-yaml v2's isBase60Float: such strings are read as strings but written quoted. */
export function isBase60Float(s: string): boolean {
  return /^[-+0-9]/.test(s) && s.includes(':') && BASE60.test(s);
}

const TIMESTAMP_FORMATS: RegExp[] = [
  // 2006-1-2T15:4:5.999999999Z07:00 (T or t), 2006-1-2 15:4:5.999999999, 2006-1-2
  /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[-+](\d{2}):(\d{2}))$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
];

/** go-yaml v2's parseTimestamp: one of its Go time layouts, with Go's range checks. */
export function isGoTimestamp(s: string): boolean {
  if (!/^\d{4}-/.test(s)) return false;
  return TIMESTAMP_FORMATS.some((format) => {
    const m = format.exec(s);
    if (m === null) return false;
    const [year, month, day, hour = 0, minute = 0, second = 0, zh = 0, zm = 0] = m
      .slice(1)
      .map((part) => (part === undefined ? undefined : Number(part)));
    const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
    return (
      month! >= 1 &&
      month! <= 12 &&
      day! >= 1 &&
      day! <= days &&
      hour! < 24 &&
      minute! < 60 &&
      second! < 60 &&
      zh! <= 24 &&
      zm! <= 60
    );
  });
}

/** True when go-yaml v2's encoder writes the string `s` double-quoted (it would not read back as a string, or is base 60). */
export function goNeedsQuotes(s: string): boolean {
  return goResolve(s)[0] !== 'str' || isBase60Float(s);
}

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** go-yaml v2's key order (sorter.go keyList.Less) for string keys: letters before others, digit runs by value. */
export function goKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = LETTER.test(ar[i]!);
    const bl = LETTER.test(br[i]!);
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && DIGIT.test(ar[ai]!); ai++) an = an * 10 + (ar[ai]!.codePointAt(0)! - 48);
    let bi = i;
    for (; bi < br.length && DIGIT.test(br[bi]!); bi++) bn = bn * 10 + (br[bi]!.codePointAt(0)! - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
  }
  return ar.length < br.length;
}

/** Keys in go-yaml v2's order (Go's sort.Sort is not stable, but string keys of a map are distinct). */
export function goSortKeys(keys: readonly string[]): readonly string[] {
  // The objects of a list mostly share one set of keys (every subnet has name, zone, type, cidr):
  // their order is computed once per key set. Bounded, so hostile key sets cannot grow it.
  const signature = JSON.stringify(keys);
  const known = sortedKeySets.get(signature);
  if (known !== undefined) return known;
  const sorted = Object.freeze([...keys].sort((a, b) => (goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0)));
  if (sortedKeySets.size >= 256) sortedKeySets.clear();
  sortedKeySets.set(signature, sorted);
  return sorted;
}

const sortedKeySets = new Map<string, readonly string[]>();

/** strconv.FormatFloat(f, 'g', -1, 64), as go-yaml v2 writes a float. */
export function goFormatFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, exp] = f.toExponential().split('e') as [string, string];
  const x = Number(exp);
  if (x < -4 || x >= 6) {
    // shortest 'g' decides with precision 6
    const e = Math.abs(x) < 10 ? `0${Math.abs(x)}` : String(Math.abs(x));
    return `${mantissa}e${x < 0 ? '-' : '+'}${e}`;
  }
  return String(f);
}
