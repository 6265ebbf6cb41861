import { StateStoreError } from '../errors.js';

/** A state-store URL taken apart. Backends receive this, never the raw string. */
export interface StoreUrl {
  /** Lowercase scheme without `:`, e.g. `s3`; `file` for bare paths. */
  scheme: string;
  /** The authority: bucket, memfs name, Azure account or container. Empty for `file`. */
  host: string;
  /** The path after the host, without leading or trailing `/` (for `file`: the absolute path). */
  path: string;
  /** Query parameters (used by a few backends for options). */
  query: URLSearchParams;
  /** Username and password given in the URL, if any; never printed. */
  credentials?: {
    /** The user name, percent-decoded. */
    username: string;
    /** The password, percent-decoded. */
    password: string;
  };
  /** The URL as given with user info and signature-like query parameters removed: safe to print. */
  redacted: string;
}

const SECRET_QUERY =
  /^(sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|token|access_token|key|secret|password)$/i;

/**
 * Removes credentials from a URL-ish string so it can go into an error message or log: user info
 * and signature-like query values. Works on the text, never re-serialises a parsed URL, so the
 * printed form is what was given (WHATWG parsing would print `memfs://a/../b` as `memfs://b`,
 * hiding the very segment an error is about: issue #14.9).
 */
export function redactUrl(raw: string): string {
  const text = String(raw);
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(text);
  let rest = scheme === null ? text : text.slice(scheme[0].length);
  if (scheme !== null) {
    // User info is everything before the last `@` of the authority (which ends at `/`, `?` or `#`).
    const authorityEnd = rest.search(/[/?#]/);
    const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
    const at = authority.lastIndexOf('@');
    if (at !== -1) rest = rest.slice(at + 1);
  }
  rest = rest.replace(/([?&])([^=&#]*)=([^&#]*)/g, (whole: string, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // keep the raw name
    }
    return SECRET_QUERY.test(decoded) ? `${sep}${name}=REDACTED` : whole;
  });
  return (scheme === null ? '' : scheme[0]) + rest;
}

/**
 * Parses a state-store URL. A string without `scheme://` is a local path (kops accepts those too).
 * Throws InvalidArgument, naming the redacted URL, for anything malformed.
 */
export function parseStoreUrl(raw: string): StoreUrl {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new StateStoreError('InvalidArgument', 'a state-store URL must be a non-empty string');
  }
  if (raw.includes('\0')) throw invalid(raw, 'contains NUL');
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw);
  if (!schemeMatch) {
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(raw) && !/^[a-zA-Z]:[\\/]/.test(raw)) throw invalid(raw, 'expected scheme://');
    if (raw.includes('://')) throw invalid(raw, 'not a valid scheme before "://"');
    return { scheme: 'file', host: '', path: raw, query: new URLSearchParams(), redacted: raw };
  }
  // Check the raw path before URL parsing: WHATWG URLs silently resolve `a/../b` to `b`.
  const rawPath = raw
    .slice(schemeMatch[0].length)
    .replace(/[?#].*$/, '')
    .split('/')
    .slice(1);
  for (const segment of rawPath) {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw invalid(raw, 'bad percent-encoding in the path');
    }
    if (decoded === '.' || decoded === '..') throw invalid(raw, '"." or ".." path segment');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(raw, 'not a valid URL');
  }
  const scheme = schemeMatch[1]!.toLowerCase();
  const redacted = redactUrl(raw);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    throw invalid(raw, 'bad percent-encoding in the path');
  }
  const credentials =
    url.username || url.password
      ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
      : undefined;
  const host = decodeURIComponent(url.hostname);
  // A `%00` decodes to NUL: refused here, at open, rather than failing every later call (#14.8).
  if (path.includes('\0') || host.includes('\0')) throw invalid(raw, 'contains NUL (%00)');
  if (scheme === 'file') {
    if (host !== '' && host !== 'localhost') throw invalid(raw, 'file URLs take an absolute path: file:///path');
    return { scheme, host: '', path, query: url.searchParams, redacted };
  }
  if (host === '') throw invalid(raw, 'missing bucket or host');
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  for (const segment of trimmed.split('/')) {
    if (trimmed !== '' && (segment === '' || segment === '.' || segment === '..'))
      throw invalid(raw, 'empty, "." or ".." path segment');
  }
  return { scheme, host, path: trimmed, query: url.searchParams, redacted, ...(credentials ? { credentials } : {}) };
}

function invalid(raw: string, why: string): StateStoreError {
  return new StateStoreError('InvalidArgument', `invalid state-store URL ${JSON.stringify(redactUrl(raw))}: ${why}`);
}
