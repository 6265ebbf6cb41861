/**
 * Where history entries live and how their ids are formed and checked.
 *
 * `{cluster}/backups/statestore/history/config/{stamp}` and
 * `{cluster}/backups/statestore/history/instancegroup/{group}/{stamp}`: under the cluster's
 * `backups/` folder, which kops's DeleteAllClusterState accepts and deletes with the cluster
 * (pkg/client/simple/vfsclientset/clientset.go), and no key ends in `/config`, which is how kops's
 * cluster listing (`ClusterVFS.listNames`, cluster.go) recognises a cluster. See docs/history.md.
 */
import { createHash } from 'node:crypto';
import { StateStoreError } from '../../errors.js';
import { isDns1123Subdomain, validateClusterName } from '../names.js';
import type { HistoryKind } from './types.js';

/** The history folder of a cluster, relative to the store. */
export function historyPrefix(cluster: string): string {
  return `${cluster}/backups/statestore/history/`;
}

/** One document's history: the cluster's config, or one instance group. */
export interface DocumentRef {
  kind: HistoryKind;
  /** The instance group's name (undefined for the config). */
  name?: string;
}

/** The folder of one document's entries, relative to the cluster's history folder. */
export function documentFolder(doc: DocumentRef): string {
  return doc.kind === 'config' ? 'config/' : `instancegroup/${doc.name}/`;
}

/** The folder of one document's entries, relative to the store. */
export function documentPrefix(cluster: string, doc: DocumentRef): string {
  return historyPrefix(cluster) + documentFolder(doc);
}

/** Inverted milliseconds, so that lexicographic listing order is newest first (until the year 2286). */
const STAMP_MAX = 9_999_999_999_999;
const STAMP = /^(\d{13})-([0-9a-f]{8})$/;

/** The name part of an external change's id: never a file, derived from the version found. */
const EXTERNAL = /^external-[0-9a-f]{16}$/;

/**
 * The id part of an external change, from what identifies it (the version found, or for a
 * deletion the version deleted): stable, so the same change has the same id in every listing.
 */
export function externalStamp(seed: string): string {
  return `external-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}

/** The name part of a provider version's id: `version-` and the provider's version id, base64url. */
const PROVIDER_VERSION = /^version-([A-Za-z0-9_-]{1,1400})$/;

/** The id part of one of the provider's own object versions (the bucket's versioning). */
export function providerVersionStamp(versionId: string): string {
  return `version-${Buffer.from(versionId, 'utf8').toString('base64url')}`;
}

/** The provider's version id a ref names, or undefined when it names no provider version. */
export function providerVersionOf(ref: EntryRef): string | undefined {
  const match = PROVIDER_VERSION.exec(ref.stamp);
  return match === null ? undefined : Buffer.from(match[1]!, 'base64url').toString('utf8');
}

/** Whether a ref names an external change or a provider version (derived) rather than a recorded entry (a file). */
export function isExternalRef(ref: EntryRef): boolean {
  return EXTERNAL.test(ref.stamp) || PROVIDER_VERSION.test(ref.stamp);
}

/**
 * A new entry's file name: inverted time, then random bits so that concurrent writers never collide.
 * `random` (in [0, 1)) is given only by tests that force which of two stamps of one millisecond lists first.
 */
export function newStamp(time: Date, random = Math.random()): string {
  const inverted = String(STAMP_MAX - time.getTime()).padStart(13, '0');
  const bits = Math.floor(random * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
  return `${inverted}-${bits}`;
}

/** The time a stamp encodes, or undefined for a file name that is not a stamp. */
export function stampTime(stamp: string): Date | undefined {
  const match = STAMP.exec(stamp);
  return match === null ? undefined : new Date(STAMP_MAX - Number(match[1]));
}

/** A parsed entry id. */
export interface EntryRef extends DocumentRef {
  cluster: string;
  stamp: string;
}

/** The full id of an entry, `{cluster}:{folder}{stamp}`. */
export function entryId(ref: EntryRef): string {
  return `${ref.cluster}:${documentFolder(ref)}${ref.stamp}`;
}

/** The key of an entry's object. */
export function entryKey(ref: EntryRef): string {
  return documentPrefix(ref.cluster, ref) + ref.stamp;
}

/**
 * Parses an id (full, or without the `{cluster}:` part) strictly: nothing but the two shapes
 * above is accepted, so an id can never name a key outside the cluster's history folder.
 * InvalidArgument for a malformed id or one of another cluster.
 */
export function parseEntryId(cluster: string, id: string): EntryRef {
  validateClusterName(cluster);
  if (typeof id !== 'string') throw new StateStoreError('InvalidArgument', 'a history entry id must be a string');
  const colon = id.indexOf(':');
  const owner = colon < 0 ? cluster : id.slice(0, colon);
  if (owner !== cluster)
    throw new StateStoreError(
      'InvalidArgument',
      `history entry ${JSON.stringify(id)} is of cluster "${owner}", not of "${cluster}"`,
    );
  const ref = parseRelative(cluster, colon < 0 ? id : id.slice(colon + 1), true);
  if (ref === undefined)
    throw new StateStoreError(
      'InvalidArgument',
      `malformed history entry id ${JSON.stringify(id)} (expected config/<stamp> or instancegroup/<group>/<stamp>, or a revision number)`,
    );
  return ref;
}

/**
 * Parses `config/{stamp}` or `instancegroup/{group}/{stamp}` (with `external`, an external
 * change's `external-{hash}` and a provider version's `version-{id}` too); undefined when it is neither.
 */
function parseRelative(cluster: string, relative: string, external = false): EntryRef | undefined {
  const parts = relative.split('/');
  const stamp = parts[parts.length - 1] ?? '';
  if (!STAMP.test(stamp) && !(external && (EXTERNAL.test(stamp) || PROVIDER_VERSION.test(stamp)))) return undefined;
  if (parts.length === 2 && parts[0] === 'config') return { cluster, kind: 'config', stamp };
  if (parts.length === 3 && parts[0] === 'instancegroup' && isDns1123Subdomain(parts[1]!))
    return { cluster, kind: 'instancegroup', name: parts[1], stamp };
  return undefined;
}

/** The entry a listed key names, or undefined for a foreign file in the history folder. */
export function refOfKey(cluster: string, key: string): EntryRef | undefined {
  const prefix = historyPrefix(cluster);
  return key.startsWith(prefix) ? parseRelative(cluster, key.slice(prefix.length)) : undefined;
}

/** The document a store key names (`{cluster}/config`, `{cluster}/instancegroup/{name}`), if any. */
export function documentOfKey(key: string): { cluster: string; doc: DocumentRef } | undefined {
  const parts = key.split('/');
  if (parts.length === 2 && parts[1] === 'config') return { cluster: parts[0]!, doc: { kind: 'config' } };
  if (parts.length === 3 && parts[1] === 'instancegroup')
    return { cluster: parts[0]!, doc: { kind: 'instancegroup', name: parts[2]! } };
  return undefined;
}
