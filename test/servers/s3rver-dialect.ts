/**
 * Switches that make the s3rver compatibility layer answer conditional requests as other S3
 * servers do, instead of as Amazon S3 documents (the default: every switch `honour`). Set with
 * `POST /__s3rver/dialect` (a partial {@link DialectSwitches}; `DELETE` resets). Each switch
 * reproduces a provider behaviour seen in the field:
 *
 * - `putIfMatch: 'unquoted'`: Ceph RGW 16.2 (Debian 12, measured for issue 32) refuses PutObject
 *   `If-Match` with 412 whenever the ETag is quoted, even the current one, and honours the same
 *   ETag without quotes.
 * - `putIfMatch: 'ignore'`, `putIfNoneMatch: 'ignore'`: S3-compatible servers without
 *   conditional writes (their issue trackers: the headers are accepted and dropped, and the write
 *   happens).
 * - `putIfMatch` / `putIfNoneMatch: 'not-implemented'`: a server that answered 501
 *   NotImplemented to conditional PUTs (before it added them).
 * - `copy: 'ignore'`: Ceph RGW 16.2's CopyObject drops `If-None-Match: *` (and `If-Match`) and
 *   overwrites.
 * - `complete: 'ignore'`: a CompleteMultipartUpload that drops its conditions (RGW releases
 *   before conditional completion).
 * - `deleteIfMatch: 'ignore'`: Ceph RGW 16.2's DeleteObject drops `If-Match` and deletes.
 * AWS's `409 ConditionalRequestConflict` needs no switch: inject it with `/__s3rver/faults`.
 */
import type { KoaContext } from './s3rver-middleware.js';

/** How one request treats its conditions. */
export type ConditionMode = 'honour' | 'ignore' | 'not-implemented';

/** What the emulated server honours. */
export interface DialectSwitches {
  putIfNoneMatch: ConditionMode;
  putIfMatch: ConditionMode | 'unquoted';
  copy: 'honour' | 'ignore';
  complete: 'honour' | 'ignore';
  deleteIfMatch: 'honour' | 'ignore';
}

/** Amazon S3 as documented. */
export const AWS_SWITCHES: DialectSwitches = {
  putIfNoneMatch: 'honour',
  putIfMatch: 'honour',
  copy: 'honour',
  complete: 'honour',
  deleteIfMatch: 'honour',
};

/** The request kinds that carry write conditions. */
export type WriteKind = 'put' | 'copy' | 'complete';

/** The outcome for one request's conditions: check them, skip them, or refuse as the switch says. */
export type Verdict =
  | { check: true; ifNoneMatch?: string; ifMatch?: string }
  | { check: false }
  | { refuse: { status: number; code: string; message: string } };

const PRECONDITION = {
  status: 412,
  code: 'PreconditionFailed',
  message: 'At least one of the pre-conditions you specified did not hold',
};
const NOT_IMPLEMENTED = {
  status: 501,
  code: 'NotImplemented',
  message: 'A header you provided implies functionality that is not implemented',
};

/** What to do with a write's `If-None-Match` and `If-Match` under `switches`. */
export function writeVerdict(
  switches: DialectSwitches,
  kind: WriteKind,
  ifNoneMatch: string | undefined,
  ifMatch: string | undefined,
): Verdict {
  if (kind !== 'put') return switches[kind] === 'ignore' ? { check: false } : { check: true, ifNoneMatch, ifMatch };
  let keptNoneMatch = ifNoneMatch;
  let keptMatch = ifMatch;
  if (ifNoneMatch !== undefined) {
    if (switches.putIfNoneMatch === 'not-implemented') return { refuse: NOT_IMPLEMENTED };
    if (switches.putIfNoneMatch === 'ignore') keptNoneMatch = undefined;
  }
  if (ifMatch !== undefined) {
    if (switches.putIfMatch === 'not-implemented') return { refuse: NOT_IMPLEMENTED };
    if (switches.putIfMatch === 'ignore') keptMatch = undefined;
    if (switches.putIfMatch === 'unquoted' && ifMatch.includes('"')) return { refuse: PRECONDITION };
  }
  return {
    check: true,
    ...(keptNoneMatch === undefined ? {} : { ifNoneMatch: keptNoneMatch }),
    ...(keptMatch === undefined ? {} : { ifMatch: keptMatch }),
  };
}

/** Reads a `POST /__s3rver/dialect` body onto the current switches (unknown fields are refused). */
export async function readSwitches(ctx: KoaContext, current: DialectSwitches): Promise<DialectSwitches> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  const given = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<DialectSwitches>;
  for (const name of Object.keys(given))
    if (!(name in AWS_SWITCHES)) throw new Error(`unknown dialect switch ${JSON.stringify(name)}`);
  return { ...current, ...given };
}
