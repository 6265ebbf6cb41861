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

/** The stored form. Times are ISO strings of the writer's clock. */
export interface LeaseDocument {
  kind: 'statestore.lease/v1';
  owner: string;
  token: string;
  acquiredAt: string;
  renewedAt: string;
  expiresAt: string;
  ttlMs: number;
}

/** A new random token: 128 bits, so that two takings of a lease never write the same bytes. */
export function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** The document of a lease taken or renewed at `now` (the writer's clock). */
export function leaseDocument(
  fields: { owner: string; token: string; ttlMs: number; acquiredAt?: string },
  now: number,
): LeaseDocument {
  const renewedAt = new Date(now).toISOString();
  return {
    kind: 'statestore.lease/v1',
    owner: fields.owner,
    token: fields.token,
    acquiredAt: fields.acquiredAt ?? renewedAt,
    renewedAt,
    expiresAt: new Date(now + fields.ttlMs).toISOString(),
    ttlMs: fields.ttlMs,
  };
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
  return doc as LeaseDocument;
}

/** The error of a lease held by someone else: names the holder and when it expires. */
export function heldError(cluster: string, doc: LeaseDocument, key: string): StateStoreError {
  return new StateStoreError(
    'Conflict',
    `cluster "${cluster}" is leased by ${JSON.stringify(doc.owner)} until ${doc.expiresAt} (renewed ${doc.renewedAt})`,
    { key },
  );
}
