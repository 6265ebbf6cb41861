import { isStateStoreError, StateStoreError } from '../../errors.js';
import { isPlainObject } from '../../config/guard.js';
import { parseYamlDocuments } from '../../config/yaml/parse.js';
import { openStoredValue } from '../encryption/envelope.js';
import type { KeyProvider } from '../encryption/key-provider.js';
import type { StoreLocation } from '../locations.js';
import { decodeBase64Field, parseCertificatePem, parsePrivateKeyPem } from './pem.js';
import { readCapped } from '../capped-read.js';

/**
 * One key of a kops Keyset (kops: pkg/apis/kops/v1alpha2/keyset.go `KeysetItem`): a certificate
 * and, usually, its private key (PEM text).
 */
export interface KeysetItem {
  /** The key's id: a decimal integer, as kops parses it (usually the certificate's serial). */
  id: string;
  /** When the key was distrusted (RFC 3339, UTC, seconds); absent while it is trusted. */
  distrustTimestamp?: string;
  /** The certificate (`publicMaterial`), PEM. */
  certificate?: string;
  /** The private key (`privateMaterial`), PEM. */
  privateKey?: string;
}

/** A kops Keyset (`pki/private/<name>/keyset.yaml`; older kops also wrote `pki/issued/`). */
export interface Keyset {
  /** The keyset's name, its folder under the key store (`kubernetes-ca`, `service-account` ...). */
  name: string;
  /** `Keypair` for certificates and keys (kops's `SecretTypeKeypair`). */
  type: string;
  /**
   * The primary key, the one that signs, as kops picks it when reading (kops:
   * upup/pkg/fi/clientset_castore.go `FindPrimary`): `spec.primaryId` when it names a trusted key
   * with a decimal id, else the trusted key with the highest decimal id.
   */
  primaryId?: string;
  /** Its keys, oldest id first as kops writes them; distrusted ones included. */
  keys: KeysetItem[];
}

/** A keyset as stored: the typed value, the parsed document (unknown fields kept for write-back) and its version. */
export interface StoredKeyset {
  keyset: Keyset;
  raw: Record<string, unknown>;
  version: string;
  /** The file read: under a legacy name when kops's old name was found instead (see {@link loadKeyset}). */
  key: string;
}

/** How private keys are opened: the store's key provider, and whether plain keys are still accepted. */
export interface KeysetReadOptions {
  signal?: AbortSignal;
  provider?: KeyProvider;
  /** With a provider: accept a plain (kops-format) private key where an envelope belongs. Default: true without a provider. */
  allowPlaintext?: boolean;
}

/** Where a keyset file lives under the key store (kops: upup/pkg/fi/vfs_keystorereader.go buildPrivateKeyPoolPath). */
export function keysetKey(location: StoreLocation, name: string, which: 'private' | 'issued' = 'private'): string {
  return `${location.prefix}${which}/${name}/keyset.yaml`;
}

/** Names of the keysets under `private/` (with private keys) or the legacy `issued/` (certificates only). */
export async function listKeysets(
  location: StoreLocation,
  which: 'private' | 'issued',
  signal?: AbortSignal,
): Promise<string[]> {
  const prefix = `${location.prefix}${which}/`;
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await location.vfs.list({ prefix, delimiter: '/', pageToken, signal });
    for (const p of page.prefixes) names.push(p.slice(prefix.length, -1));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return names;
}

/** Reads a keyset in kops's format; see {@link loadKeyset}. */
export async function readKeyset(
  location: StoreLocation,
  name: string,
  which: 'private' | 'issued',
  options: KeysetReadOptions = {},
): Promise<Keyset> {
  return (await loadKeyset(location, name, which, options)).keyset;
}

/**
 * Reads and checks a keyset as kops does (kops: upup/pkg/fi/clientset_castore.go parseKeyset):
 * fields are matched case-sensitively (`primaryID` is not `primaryId`), materials are base64 PEM
 * and must parse, else InvalidArgument naming the field. Private keys sealed by statestore are
 * opened with the provider; in an encrypting store a plain one is IntegrityError unless allowed.
 */
export async function loadKeyset(
  location: StoreLocation,
  name: string,
  which: 'private' | 'issued',
  options: KeysetReadOptions = {},
): Promise<StoredKeyset> {
  return loadKeysetFile(location, name, which, options).catch((err: unknown) => {
    if (isStateStoreError(err, 'NotFound'))
      throw new StateStoreError('NotFound', `keyset "${name}" not found in ${which}`, {
        key: keysetKey(location, name, which),
        cause: err,
      });
    throw err;
  });
}

/**
 * Names kops used before 1.22; kops's FindKeyset still reads them when the new name is absent and
 * writes the keyset back under the new name (kops: upup/pkg/fi/vfs_keystorereader.go legacyKeysetMappings).
 */
const LEGACY_NAMES = new Map([
  ['service-account', 'master'],
  ['kubernetes-ca', 'ca'],
]);

async function loadKeysetFile(
  location: StoreLocation,
  name: string,
  which: 'private' | 'issued',
  options: KeysetReadOptions,
): Promise<StoredKeyset> {
  const legacy = which === 'private' ? LEGACY_NAMES.get(name) : undefined;
  let key = keysetKey(location, name, which);
  let read = await readCapped(location.vfs, key, { signal: options.signal }).catch((err: unknown) =>
    isStateStoreError(err, 'NotFound') && legacy !== undefined ? undefined : Promise.reject(err),
  );
  if (read === undefined) {
    key = keysetKey(location, legacy!, which);
    read = await readCapped(location.vfs, key, { signal: options.signal });
  }
  const documents = parseYamlDocuments(Buffer.from(read.body).toString('utf8'));
  const raw = documents.length === 1 ? documents[0]!.value : undefined;
  const spec = isPlainObject(raw) ? (raw.spec ?? {}) : undefined;
  if (!isPlainObject(raw) || raw.kind !== 'Keyset' || !isPlainObject(spec))
    throw new StateStoreError('InvalidArgument', `${key} is not a kops Keyset`, { key });
  if (raw.apiVersion !== 'kops.k8s.io/v1alpha2' && raw.apiVersion !== 'kops/v1alpha2') {
    throw new StateStoreError(
      'InvalidArgument',
      `${key}: apiVersion ${JSON.stringify(raw.apiVersion)} is not kops.k8s.io/v1alpha2`,
      { key },
    );
  }
  const rawKeys = spec.keys ?? [];
  if (!Array.isArray(rawKeys))
    throw new StateStoreError('InvalidArgument', `${key}: spec.keys must be a list`, { key });
  const keys = await Promise.all(rawKeys.map((item, index) => readItem(item, `spec.keys[${index}]`, key, options)));
  const keyset: Keyset = { name, type: typeof spec.type === 'string' ? spec.type : 'Keypair', keys };
  const primary = findPrimary(keys, typeof spec.primaryId === 'string' ? spec.primaryId : undefined);
  if (primary !== undefined) keyset.primaryId = primary.id;
  return { keyset, raw, version: read.info.version, key };
}

async function readItem(item: unknown, field: string, key: string, options: KeysetReadOptions): Promise<KeysetItem> {
  if (!isPlainObject(item)) throw new StateStoreError('InvalidArgument', `${key}: ${field} must be a map`, { key });
  if (typeof item.id !== 'string')
    throw new StateStoreError(
      'InvalidArgument',
      `${key}: ${field}.id must be a string (kops decodes it into a string)`,
      { key },
    );
  const out: KeysetItem = { id: item.id };
  if (item.distrustTimestamp !== undefined && item.distrustTimestamp !== null)
    out.distrustTimestamp = normalizeTimestamp(item.distrustTimestamp, `${field}.distrustTimestamp`, key);
  if (item.publicMaterial !== undefined && item.publicMaterial !== null && item.publicMaterial !== '') {
    out.certificate = decodeBase64Field(item.publicMaterial, `${field}.publicMaterial`, key).toString('utf8');
    parseCertificatePem(out.certificate, `${field}.publicMaterial`, key);
  }
  const privateKey = await readPrivateMaterial(
    item.privateMaterial,
    `${field}.privateMaterial`,
    `${key}#${item.id}`,
    key,
    options,
  );
  if (privateKey !== undefined) out.privateKey = privateKey;
  return out;
}

/**
 * A private key's material through the store's shared rules for secret values (envelope.ts
 * `openStoredValue`): an envelope is opened (IntegrityError when altered), plain base64 is decoded
 * strictly and refused in an encrypting store unless allowPlaintext. The PEM is then checked as
 * kops checks it (InvalidArgument naming the field).
 */
async function readPrivateMaterial(
  material: unknown,
  field: string,
  context: string,
  key: string,
  options: KeysetReadOptions,
): Promise<string | undefined> {
  if (material === undefined || material === null || material === '') return undefined;
  if (typeof material !== 'string')
    throw new StateStoreError('InvalidArgument', `${key}: ${field} must be a base64 string`, { key });
  const opened = await openStoredValue(material, context, `${key}: ${field}`, options).catch((err: unknown) => {
    if (isStateStoreError(err)) throw new StateStoreError(err.code, err.message, { key, cause: err });
    throw err;
  });
  const pem = Buffer.from(opened).toString('utf8');
  parsePrivateKeyPem(pem, field, key);
  return pem;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A distrust time as kops writes it (kops: metav1.Time, RFC 3339 in UTC with whole seconds).
 * Accepts what kops accepts (any RFC 3339 time); InvalidArgument naming the field otherwise.
 */
export function normalizeTimestamp(value: unknown, field: string, key?: string): string {
  const text = value instanceof Date ? value.toISOString() : value;
  const ms = typeof text === 'string' && RFC3339.test(text) ? Date.parse(text.toUpperCase()) : NaN;
  if (Number.isNaN(ms))
    throw new StateStoreError('InvalidArgument', `${field} must be an RFC 3339 time (e.g. 2024-01-31T12:00:00Z)`, {
      key,
    });
  return formatTimestamp(new Date(ms));
}

/** RFC 3339, UTC, whole seconds: how kops's metav1.Time is written. */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A decimal integer as kops's big.Int SetString(id, 10) accepts it. */
export const DECIMAL_ID = /^[+-]?[0-9]+$/;

/**
 * The key kops signs with (kops: upup/pkg/fi/clientset_castore.go FindPrimary): distrusted keys and
 * keys with non-decimal ids are skipped; the one named `primaryId` wins, else the highest id.
 */
export function findPrimary(keys: readonly KeysetItem[], primaryId: string | undefined): KeysetItem | undefined {
  let best: KeysetItem | undefined;
  for (const item of keys) {
    if (item.distrustTimestamp !== undefined || !DECIMAL_ID.test(item.id)) continue;
    if (item.id === primaryId) return item;
    if (best === undefined || BigInt(item.id) > BigInt(best.id)) best = item;
  }
  return best;
}

/** kops's KeysetItemIdOlder (upup/pkg/fi/ca.go): decimal ids compare as numbers and sort after other ids, which compare as text. */
export function olderFirst(a: string, b: string): number {
  const an = DECIMAL_ID.test(a);
  const bn = DECIMAL_ID.test(b);
  if (an && bn) return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  if (an !== bn) return an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
