/**
 * Where a cluster's lease lives and what its document holds.
 *
 * `{cluster}/backups/statestore/lease`: under the cluster's `backups/` folder, which kops's
 * DeleteAllClusterState accepts and deletes with the cluster
 * (pkg/client/simple/vfsclientset/clientset.go), and not ending in `/config`, which is how kops's
 * cluster listing recognises a cluster. The history lives beside it (`backups/statestore/history/`).
 */
import { randomBytes } from 'node:crypto';
import { StateStoreError } from '../../errors.js';

/** The lease document's key, relative to the store. */
export function leaseKey(cluster: string): string {
  return `${cluster}/backups/statestore/lease`;
}

/** Whether `key` is a cluster's lease document (which a store move must not copy: it is this store's lock). */
export function isLeaseKey(key: string): boolean {
  const slash = key.indexOf('/');
  return slash > 0 && key.slice(slash) === '/backups/statestore/lease';
}

/** The shortest ttl a lease may have (ms): below it, one request to a cloud store could outlast it. */
export const MIN_TTL_MS = 100;
/**
 * The longest ttl (ms): 7 days. Far below 2^31-1 ms (24.8 days), the most a Node timer can wait
 * (a longer one fires at once, with a TimeoutOverflowWarning), and short enough that a lease
 * whose holder died does not outlive the week.
 */
export const MAX_TTL_MS = 7 * 24 * 3_600_000;

/**
 * The stored form. Times are ISO strings of the writer's clock. `operation`, `host` and `pid`
 * came later (holder info, as Terraform's lock records it): documents written before them still
 * parse, and older readers ignore them.
 */
export interface LeaseDocument {
  kind: 'statestore.lease/v1';
  owner: string;
  /** The lease's id: random, unique to this taking of the lease (shown, and used by `release --force ID`). */
  token: string;
  acquiredAt: string;
  renewedAt: string;
  expiresAt: string;
  ttlMs: number;
  operation?: string;
  host?: string;
  pid?: number;
}

/** Who takes a lease and why, written into its document. */
export interface Holder {
  owner: string;
  operation?: string;
  host?: string;
  pid?: number;
}

/** A new random token: 128 bits, so that two takings of a lease never write the same bytes. */
export function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** The document of a lease taken or renewed at `now` (the writer's clock). */
export function leaseDocument(
  fields: Holder & { token: string; ttlMs: number; acquiredAt?: string },
  now: number,
): LeaseDocument {
  const renewedAt = new Date(now).toISOString();
  const { owner, token, ttlMs, operation, host, pid } = fields;
  return {
    kind: 'statestore.lease/v1',
    owner,
    token,
    acquiredAt: fields.acquiredAt ?? renewedAt,
    renewedAt,
    expiresAt: new Date(now + ttlMs).toISOString(),
    ttlMs,
    ...(operation === undefined ? {} : { operation }),
    ...(host === undefined ? {} : { host }),
    ...(pid === undefined ? {} : { pid }),
  };
}

/**
 * Until when (reader's clock, ms) a stored lease is live, or undefined when its times cannot be
 * trusted, which counts as expired (docs/leases.md, "Damaged and tampered leases"): a ttl outside
 * [MIN_TTL_MS, MAX_TTL_MS], an `expiresAt` more than ttl + skew after its `renewedAt`, or more
 * than ttl + skew after `now`. A holder writes `expiresAt = renewedAt + ttl` from one clock
 * reading, so none of these happens to a lease written by statestore on a clock within the skew;
 * they happen to a hand-edited file (`expiresAt: 9999-12-31`) that would otherwise lock the
 * cluster for good.
 */
export function liveUntil(doc: LeaseDocument, now: number, skewMs: number): number | undefined {
  if (!(doc.ttlMs >= MIN_TTL_MS && doc.ttlMs <= MAX_TTL_MS)) return undefined;
  const expires = Date.parse(doc.expiresAt);
  if (expires - Date.parse(doc.renewedAt) > doc.ttlMs + skewMs) return undefined;
  if (expires > now + doc.ttlMs + skewMs) return undefined;
  return expires + skewMs;
}

/** The document an expired release writes where a backend cannot delete conditionally. */
export function releasedDocument(doc: LeaseDocument): LeaseDocument {
  return { ...doc, expiresAt: new Date(0).toISOString(), renewedAt: new Date().toISOString() };
}

/**
 * Parses a stored lease. Undefined for anything that is not one (a damaged or foreign object):
 * the caller treats that as an expired lease, so a bad object can never lock a cluster forever.
 */
export function parseLease(body: Uint8Array): LeaseDocument | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const doc = value as Partial<LeaseDocument>;
  const times = [doc.acquiredAt, doc.renewedAt, doc.expiresAt];
  if (doc.kind !== 'statestore.lease/v1' || typeof doc.owner !== 'string' || typeof doc.token !== 'string')
    return undefined;
  if (typeof doc.ttlMs !== 'number' || times.some((t) => typeof t !== 'string' || Number.isNaN(Date.parse(t))))
    return undefined;
  // Holder info is optional (older documents have none); a wrong type is dropped, not trusted.
  if (doc.operation !== undefined && typeof doc.operation !== 'string') delete doc.operation;
  if (doc.host !== undefined && typeof doc.host !== 'string') delete doc.host;
  if (doc.pid !== undefined && !Number.isSafeInteger(doc.pid)) delete doc.pid;
  return doc as LeaseDocument;
}

/**
 * The error of a lease held by someone else: names the holder, its id and operation, and when it
 * expires. The stored strings are quoted with JSON.stringify, so a control character in a tampered
 * document reaches a terminal as `\u001b`, never raw; the times are re-printed from parsed dates.
 */
export function heldError(cluster: string, doc: LeaseDocument, key: string): StateStoreError {
  const operation = doc.operation === undefined ? '' : ` for ${JSON.stringify(doc.operation)}`;
  return new StateStoreError(
    'Conflict',
    `cluster "${cluster}" is leased by ${JSON.stringify(doc.owner)}${operation} until ${isoOf(doc.expiresAt)} ` +
      `(lease id ${JSON.stringify(doc.token)}, renewed ${isoOf(doc.renewedAt)})`,
    { key },
  );
}

/** A stored time as ISO 8601 (parsed, so no stored character survives), or "invalid date". */
export function isoOf(text: string): string {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : 'invalid date';
}
