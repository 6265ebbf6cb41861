import { StateStoreError } from '../../errors.js';
import type { Condition } from '../../vfs/driver.js';
import type { Capabilities } from '../../vfs/types.js';
import { unquotedEtag } from '../common/etag.js';

/**
 * Which of S3's conditional headers a server honours: one field per request and header, each a
 * promise the S3 driver relies on (after Rust object_store's `aws/precondition.rs`, one setting
 * per feature rather than per vendor). Set it with `options.s3.dialect` (a name or a list, see
 * {@link parseS3Dialect}), or let the store probe the server once (`dialect-probe.ts`).
 *
 * A request whose condition the dialect does not honour is never sent with it: the driver goes
 * another way (see `S3Driver`) or the capability is false and the portable layer refuses the call
 * with Unsupported before any I/O. An `If-Match` is sent on CopyObject and on
 * CompleteMultipartUpload only where `If-None-Match: *` is honoured on that same request (a
 * server that checks one precondition of a request checks both); its ETag is sent in the form
 * `ifMatch` names, as is every other `If-Match` (reads, deletes, copy sources).
 */
export interface S3Dialect {
  /**
   * PutObject `If-Match`: `quoted` (the ETag as the server returned it, quotes included: AWS),
   * `unquoted` (without its quotes: Ceph RGW 16.2 refuses the quoted form with 412 even when
   * current), or `ignored` (the server writes whatever the ETag: no compare-and-swap).
   * Spelled `if-match=quoted|unquoted|ignored` (absent: `ignored`).
   */
  ifMatch: 'quoted' | 'unquoted' | 'ignored';
  /** PutObject `If-None-Match: *` refuses (412) when the key exists. Spelled `put-if-none-match`. */
  putIfNoneMatch: boolean;
  /**
   * CopyObject `If-None-Match: *` refuses (412) when the destination exists, and `If-Match` is
   * checked on the destination (RGW 16.2 ignores both and overwrites). Spelled `copy-if-none-match`.
   */
  copyIfNoneMatch: boolean;
  /**
   * CompleteMultipartUpload `If-None-Match: *` refuses (412) when the key exists, and `If-Match`
   * is checked. Spelled `complete-if-none-match`.
   */
  completeIfNoneMatch: boolean;
  /** DeleteObject `If-Match` refuses (412) a wrong ETag and deletes nothing. Spelled `delete-if-match`. */
  deleteIfMatch: boolean;
}

/** The request kinds that carry a write condition. */
export type ConditionalRequest = 'put' | 'copy' | 'complete';

/**
 * Named dialects, as `options.s3.dialect` accepts them:
 * - `aws`: Amazon S3 (every condition honoured, ETags sent as returned);
 * - `rgw`: Ceph RADOS Gateway 16.2 as measured here (`if-match=unquoted, put-if-none-match`:
 *   copies and completions ignore `If-None-Match`, deletes ignore `If-Match`);
 * - `none`: no condition honoured (merges, leases and create-only copies are refused).
 */
export const S3_DIALECTS: Readonly<Record<'aws' | 'rgw' | 'none', Readonly<S3Dialect>>> = {
  aws: {
    ifMatch: 'quoted',
    putIfNoneMatch: true,
    copyIfNoneMatch: true,
    completeIfNoneMatch: true,
    deleteIfMatch: true,
  },
  rgw: {
    ifMatch: 'unquoted',
    putIfNoneMatch: true,
    copyIfNoneMatch: false,
    completeIfNoneMatch: false,
    deleteIfMatch: false,
  },
  none: {
    ifMatch: 'ignored',
    putIfNoneMatch: false,
    copyIfNoneMatch: false,
    completeIfNoneMatch: false,
    deleteIfMatch: false,
  },
};

const FLAGS = {
  'put-if-none-match': 'putIfNoneMatch',
  'copy-if-none-match': 'copyIfNoneMatch',
  'complete-if-none-match': 'completeIfNoneMatch',
  'delete-if-match': 'deleteIfMatch',
} as const;
type Flag = keyof typeof FLAGS;
const IF_MATCH_FORMS = ['quoted', 'unquoted', 'ignored'] as const;

/**
 * Parses a dialect: a name of {@link S3_DIALECTS} (`aws`, `rgw`, `none`), or a comma-separated
 * list of what the server honours, e.g. `if-match=unquoted, put-if-none-match, delete-if-match`
 * (tokens: `if-match=quoted|unquoted|ignored`, `put-if-none-match`, `copy-if-none-match`,
 * `complete-if-none-match`, `delete-if-match`; what is not listed is not honoured). Whitespace
 * around names, commas and `=` is ignored; letters may be in any case. Throws InvalidArgument
 * naming the bad token. {@link formatS3Dialect} prints it back.
 */
export function parseS3Dialect(text: string): S3Dialect {
  const spelled = String(text).trim().toLowerCase();
  const named = (S3_DIALECTS as Record<string, S3Dialect>)[spelled];
  if (named !== undefined) return { ...named };
  const dialect: S3Dialect = { ...S3_DIALECTS.none };
  const seen = new Set<string>();
  for (const raw of spelled.split(',')) {
    const [name = '', value, ...extra] = raw.split('=').map((part) => part.trim());
    if (seen.has(name)) throw badDialect(text, `"${name}" is given twice`);
    seen.add(name);
    if (name === 'if-match' && extra.length === 0 && (IF_MATCH_FORMS as readonly string[]).includes(value ?? '')) {
      dialect.ifMatch = value as S3Dialect['ifMatch'];
    } else if (name in FLAGS && value === undefined) {
      dialect[FLAGS[name as Flag]] = true;
    } else {
      throw badDialect(text, `"${raw.trim()}" is not one of ${DIALECT_TOKENS}`);
    }
  }
  return dialect;
}

const DIALECT_TOKENS = `${Object.keys(S3_DIALECTS).join(', ')}, or a list of if-match=quoted|unquoted|ignored, ${Object.keys(FLAGS).join(', ')}`;

function badDialect(text: string, why: string): StateStoreError {
  return new StateStoreError('InvalidArgument', `s3 dialect ${JSON.stringify(text)}: ${why}`, { backend: 's3' });
}

/** The dialect's spelling: its name when it is a named one, else the list (`if-match=...` first). */
export function formatS3Dialect(dialect: S3Dialect): string {
  for (const [name, known] of Object.entries(S3_DIALECTS)) if (sameDialect(dialect, known)) return name;
  const tokens = dialect.ifMatch === 'ignored' ? [] : [`if-match=${dialect.ifMatch}`];
  for (const [token, field] of Object.entries(FLAGS)) if (dialect[field]) tokens.push(token);
  return tokens.length === 0 ? 'none' : tokens.join(', ');
}

/** Field by field equality. */
export function sameDialect(a: S3Dialect, b: S3Dialect): boolean {
  return a.ifMatch === b.ifMatch && Object.values(FLAGS).every((field) => a[field] === b[field]);
}

/** Checks a dialect given as an object (`options.s3.dialect`); throws InvalidArgument naming the bad field. */
export function checkS3Dialect(value: S3Dialect): S3Dialect {
  if (typeof value !== 'object' || value === null) throw badDialect(String(value), 'not a dialect');
  if (!(IF_MATCH_FORMS as readonly string[]).includes(value.ifMatch))
    throw badDialect(JSON.stringify(value), 'ifMatch must be "quoted", "unquoted" or "ignored"');
  for (const field of Object.values(FLAGS)) {
    if (typeof value[field] !== 'boolean') throw badDialect(JSON.stringify(value), `${field} must be true or false`);
  }
  const { ifMatch, putIfNoneMatch, copyIfNoneMatch, completeIfNoneMatch, deleteIfMatch } = value;
  return { ifMatch, putIfNoneMatch, copyIfNoneMatch, completeIfNoneMatch, deleteIfMatch };
}

/**
 * What a store on this dialect enforces. A condition is a capability when some way of writing
 * enforces it: PutObject always can carry it, so copies and large streams without it on their
 * own request are routed through a request that has it (see `S3Driver`).
 */
export function dialectCapabilities(dialect: S3Dialect): Capabilities {
  return {
    ifMatch: dialect.ifMatch !== 'ignored',
    ifNoneMatch: dialect.putIfNoneMatch,
    deleteIfMatch: dialect.deleteIfMatch && dialect.ifMatch !== 'ignored',
    serverSideCopy: true,
    md5: true,
  };
}

/** True when `request` can carry `condition` on this dialect (an unconditional request always can). */
export function honours(dialect: S3Dialect, request: ConditionalRequest, condition: Condition): boolean {
  if (condition.kind === 'none') return true;
  const carried =
    request === 'put'
      ? condition.kind === 'version' || dialect.putIfNoneMatch
      : request === 'copy'
        ? dialect.copyIfNoneMatch
        : dialect.completeIfNoneMatch;
  return carried && (condition.kind === 'absent' || dialect.ifMatch !== 'ignored');
}

/**
 * The condition fields of one request (`IfMatch` / `IfNoneMatch` of the SDK's commands). Throws
 * Unknown when the request cannot carry the condition: the driver must have routed around it.
 */
export function writeConditions(
  dialect: S3Dialect,
  condition: Condition,
  request: ConditionalRequest,
): { IfMatch?: string; IfNoneMatch?: string } {
  if (condition.kind === 'none') return {};
  if (!honours(dialect, request, condition))
    throw new StateStoreError('Unknown', `s3: internal error: a ${request} request cannot carry this condition`, {
      backend: 's3',
    });
  return condition.kind === 'absent' ? { IfNoneMatch: '*' } : { IfMatch: etagForServer(dialect, condition.version) };
}

/** The `IfMatch` field of a read or delete: the version in the form the server wants, or nothing. */
export function ifMatchField(dialect: S3Dialect, condition: Condition): { IfMatch?: string } {
  return condition.kind === 'version' ? { IfMatch: etagForServer(dialect, condition.version) } : {};
}

/** An ETag as this server wants it in `If-Match` (and `x-amz-copy-source-if-match`). */
export function etagForServer(dialect: S3Dialect, version: string): string {
  return dialect.ifMatch === 'unquoted' ? unquotedEtag(version) : version;
}

/** Why a capability is false, in the server's terms: for the Unsupported message. */
export function dialectLimit(dialect: S3Dialect, capability: 'ifMatch' | 'ifNoneMatch' | 'deleteIfMatch'): string {
  const named = `(S3 dialect "${formatS3Dialect(dialect)}"; see options.s3.dialect)`;
  if (capability === 'ifNoneMatch') return `this S3 server ignores If-None-Match on PutObject ${named}`;
  if (capability === 'ifMatch' || dialect.ifMatch === 'ignored')
    return `this S3 server ignores If-Match on PutObject ${named}`;
  return `this S3 server ignores If-Match on DeleteObject ${named}`;
}
