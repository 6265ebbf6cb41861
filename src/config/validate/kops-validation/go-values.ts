// The Go library parsers kops's validation leans on (kubernetes/kops @268927e): blang/semver/v4
// `Parse` / `ParseTolerant`, `time.ParseDuration` / `Duration.String`, aws-sdk-go-v2 `arn.Parse`,
// apimachinery `intstr.GetScaledValueFromIntOrPercent`, and the part of `url.Parse` kops reads.

/** A parsed semantic version (pre-release and build kept as text). */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string;
}

const NUMBER = /^(0|[1-9]\d*)$/;

/** blang/semver `Parse`: strict `MAJOR.MINOR.PATCH[-pre][+build]`; an error message otherwise. */
export function parseSemver(text: string): SemVer | string {
  if (text === '') return 'Version string empty';
  const parts = text.split('.');
  if (parts.length < 3) return 'No Major.Minor.Patch elements found';
  const [majorText, minorText] = parts as [string, string];
  const rest = parts.slice(2).join('.');
  const patchText = rest.split(/[-+]/)[0]!;
  const names = ['major', 'minor', 'patch'];
  for (const [i, part] of [majorText, minorText, patchText].entries()) {
    if (!/^\d+$/.test(part)) return `Invalid character(s) found in ${names[i]} number "${part}"`;
    if (!NUMBER.test(part)) return `${capital(names[i]!)} number must not contain leading zeroes "${part}"`;
  }
  const afterPatch = rest.slice(patchText.length);
  const plus = afterPatch.indexOf('+');
  const pre = afterPatch.startsWith('-') ? afterPatch.slice(1, plus < 0 ? undefined : plus) : '';
  if (afterPatch.startsWith('-') && !/^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/.test(pre))
    return `Invalid character(s) found in prerelease "${pre}"`;
  return { major: Number(majorText), minor: Number(minorText), patch: Number(patchText), pre };
}

function capital(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

/** blang/semver `ParseTolerant`: trims, drops a leading `v` and leading zeroes, pads `1.7` to `1.7.0`. */
export function parseSemverTolerant(text: string): SemVer | string {
  const parts = text.trim().replace(/^v/, '').split('.');
  const head = parts.slice(0, 2).map((p) => (p.length > 1 ? p.replace(/^0+(?=\d)/, '') : p));
  const fixed = [...head, ...(parts.length > 2 ? [parts.slice(2).join('.')] : [])];
  if (fixed.length < 3 && /[+-]/.test(fixed[fixed.length - 1]!))
    return 'Short version cannot contain PreRelease/Build meta data';
  while (fixed.length < 3) fixed.push('0');
  return parseSemver(fixed.join('.'));
}

/** semver comparison: negative when a < b (pre-releases sort before the release). */
export function compareSemver(a: SemVer, b: SemVer): number {
  const d = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (d !== 0) return d;
  if (a.pre === b.pre) return 0;
  if (a.pre === '') return 1;
  if (b.pre === '') return -1;
  return a.pre < b.pre ? -1 : 1;
}

const UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's `time.ParseDuration`, in seconds, or undefined when it does not parse. */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (text === '0') return 0;
  if (match === null) return undefined;
  let total = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(value) * UNITS[unit!]!;
  return match[1] === '-' ? -total : total;
}

/** Go's `Duration.String()`: `5m0s`, `1h0m0s`, `1.5s`, `0s`. */
export function formatGoDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(seconds);
  if (rest < 1) {
    const ns = Math.round(rest * 1e9);
    if (ns < 1000) return `${sign}${ns}ns`;
    if (ns < 1e6) return `${sign}${ns / 1000}µs`;
    return `${sign}${ns / 1e6}ms`;
  }
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = Number((rest - m * 60).toFixed(9));
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

/** aws-sdk-go-v2 `arn.Parse`: the resource part, or the error message. */
export function parseArnResource(text: string): { resource: string } | { error: string } {
  if (!text.startsWith('arn:')) return { error: 'arn: invalid prefix' };
  const sections = text.split(':');
  if (sections.length < 6) return { error: 'arn: not enough sections' };
  return { resource: sections.slice(5).join(':') };
}

/** apimachinery `intstr.GetScaledValueFromIntOrPercent`: the value, or the error message. */
export function scaledIntOrPercent(value: unknown, total: number, roundUp: boolean): number | { error: string } {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return { error: `invalid type: neither int nor percentage` };
  if (!value.endsWith('%')) return { error: `invalid value for IntOrString: invalid type: string is not a percentage` };
  const digits = value.slice(0, -1);
  if (!/^[-+]?\d+$/.test(digits))
    return { error: `invalid value "${value}": strconv.Atoi: parsing "${digits}": invalid syntax` };
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** The parts of Go's `url.Parse` kops's validation reads: scheme, host, path; or the error. */
export function parseGoUrl(text: string): { scheme: string; host: string; path: string } | { error: string } {
  if ([...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f))
    return { error: `parse "${text}": net/url: invalid control character in URL` };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text);
  if (scheme === null && /^[^/?#]*:/.test(text) && !text.startsWith(':'))
    return { error: `parse "${text}": first path segment in URL cannot contain colon` };
  if (text.startsWith(':')) return { error: `parse "${text}": missing protocol scheme` };
  const rest = scheme === null ? text : text.slice(scheme[0].length);
  const authority = rest.startsWith('//') ? /^\/\/([^/?#]*)/.exec(rest)![1]! : '';
  const host = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  const afterAuthority = rest.startsWith('//') ? rest.slice(2 + authority.length) : rest;
  const path = afterAuthority.split(/[?#]/)[0]!;
  return { scheme: scheme === null ? '' : scheme[1]!.toLowerCase(), host, path };
}
