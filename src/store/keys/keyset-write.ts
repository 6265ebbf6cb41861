import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { WriteOptions } from '../../vfs/types.js';
import { isPlainObject } from '../../config/guard.js';
import { DEFAULT_LIMITS } from '../../config/yaml/options.js';
import { parseYamlDocuments } from '../../config/yaml/parse.js';
import { stringifyYaml } from '../../config/yaml/update.js';
import { sealEnvelope } from '../encryption/envelope.js';
import type { KeyProvider } from '../encryption/key-provider.js';
import type { StoreLocation } from '../locations.js';
import { parseCertificatePem, parsePrivateKeyPem } from './pem.js';
import { DECIMAL_ID, keysetKey, normalizeTimestamp, olderFirst, type Keyset, type KeysetItem } from './keysets.js';
import { readCapped } from '../capped-read.js';

/** How a keyset is written: the write's conditions, the sealing provider, and the stored document whose unknown fields are kept. */
export interface KeysetWrite {
  write: WriteOptions;
  /** Seal each private key (envelope.ts): statestore reads it back, kops cannot. */
  provider?: KeyProvider;
  /** The document being replaced, as parsed: fields kops does not know are carried over. */
  raw?: Record<string, unknown>;
}

/**
 * Checks a keyset as kops's `VFSCAStore.StoreKeyset` would (kops: upup/pkg/fi/vfs_castore.go):
 * ids are unique decimal integers (big.Int SetString base 10), materials parse as PEM, and the
 * primary exists, is trusted and has both a certificate and a private key. InvalidArgument naming
 * the field otherwise. Returns the items with their distrust times in kops's spelling.
 */
export function checkKeyset(keyset: Keyset, key?: string): KeysetItem[] {
  const fail = (message: string): never => {
    throw new StateStoreError('InvalidArgument', `keyset "${keyset.name}": ${message}`, { key });
  };
  if (typeof keyset.type !== 'string' || keyset.type === '')
    fail('type must be a non-empty string (kops writes "Keypair")');
  if (!Array.isArray(keyset.keys)) fail('keys must be a list');
  const ids = new Set<string>();
  const items = keyset.keys.map((item, index) => {
    const field = `keys[${index}]`;
    if (!isPlainObject(item)) return fail(`${field} must be an object`);
    if (typeof item.id !== 'string' || !DECIMAL_ID.test(item.id))
      fail(
        `${field}.id must be a decimal integer, as kops parses ids (got ${JSON.stringify(String(item.id).slice(0, 40))})`,
      );
    if (ids.has(item.id)) fail(`${field}.id ${item.id} is not unique`);
    ids.add(item.id);
    const out: KeysetItem = { id: item.id };
    if (item.distrustTimestamp !== undefined)
      out.distrustTimestamp = normalizeTimestamp(item.distrustTimestamp, `${field}.distrustTimestamp`, key);
    if (item.certificate !== undefined)
      out.certificate = checkPem(item.certificate, `${field}.certificate`, key, parseCertificatePem);
    if (item.privateKey !== undefined)
      out.privateKey = checkPem(item.privateKey, `${field}.privateKey`, key, parsePrivateKeyPem);
    return out;
  });
  const primary = items.find((item) => item.id === keyset.primaryId);
  if (keyset.primaryId === undefined || primary === undefined)
    fail(`primaryId must name one of its keys (kops: "keyset must have a primary key")`);
  if (primary!.distrustTimestamp !== undefined)
    fail(`primaryId ${primary!.id}: the primary key must not be distrusted`);
  if (primary!.certificate === undefined || primary!.privateKey === undefined)
    fail(`primaryId ${primary!.id}: the primary key must have a certificate and a private key`);
  return items;
}

function checkPem(
  value: unknown,
  field: string,
  key: string | undefined,
  parse: (pem: string, field: string, key?: string) => unknown,
): string {
  if (typeof value !== 'string') throw new StateStoreError('InvalidArgument', `${field} must be PEM text`, { key });
  parse(value, field, key);
  return value;
}

/**
 * Writes a keyset to `private/<name>/keyset.yaml` under the key store, in kops's format (kops:
 * upup/pkg/fi/vfs_castore.go writeKeysetBundle and Keyset.ToAPIObject): `primaryId`, items oldest
 * id first, base64 PEM materials, keys sorted as kops's YAML encoder sorts them, no
 * `creationTimestamp`. Nothing is written when the keyset is refused.
 */
export async function writeKeyset(location: StoreLocation, keyset: Keyset, options: KeysetWrite): Promise<string> {
  const key = keysetKey(location, keyset.name);
  const items = checkKeyset(keyset, key).sort((a, b) => olderFirst(a.id, b.id));
  const materials = await Promise.all(
    items.map(async (item) =>
      item.privateKey === undefined
        ? undefined
        : options.provider === undefined
          ? base64(item.privateKey)
          : sealEnvelope(Buffer.from(item.privateKey, 'utf8'), options.provider, `${key}#${item.id}`),
    ),
  );
  const raw = options.raw ?? {};
  const rawSpec = isPlainObject(raw.spec) ? raw.spec : {};
  const rawItems = Array.isArray(rawSpec.keys) ? rawSpec.keys.filter(isPlainObject) : [];
  const keys = items.map((item, index) => {
    const known = rawItems.find((rawItem) => rawItem.id === item.id) ?? {};
    const { distrustTimestamp: _d, id: _i, privateMaterial: _p, publicMaterial: _m, ...unknown } = known;
    return {
      ...unknown,
      ...(item.distrustTimestamp !== undefined ? { distrustTimestamp: item.distrustTimestamp } : {}),
      id: item.id,
      ...(materials[index] !== undefined ? { privateMaterial: materials[index] } : {}),
      ...(item.certificate !== undefined ? { publicMaterial: base64(item.certificate) } : {}),
    };
  });
  // `primaryID` was written by earlier statestore releases, never by kops, which ignores it.
  const { keys: _k, primaryId: _p, primaryID: _wrong, type: _t, ...specUnknown } = rawSpec;
  const { creationTimestamp, ...metadata } = isPlainObject(raw.metadata) ? raw.metadata : {};
  const document = {
    ...raw,
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Keyset',
    metadata: {
      ...metadata,
      ...(creationTimestamp !== null && creationTimestamp !== undefined ? { creationTimestamp } : {}),
      name: keyset.name,
    },
    spec: { ...specUnknown, ...(keys.length > 0 ? { keys } : {}), primaryId: keyset.primaryId, type: keyset.type },
  };
  const text = stringifyYaml(sortKeysAsGoYaml(document));
  // Never write what a read would refuse (issue #14 item 2): reads parse at most DEFAULT_LIMITS.maxBytes.
  if (Buffer.byteLength(text, 'utf8') > DEFAULT_LIMITS.maxBytes) {
    throw new StateStoreError(
      'InvalidArgument',
      `keyset "${keyset.name}" would be ${Buffer.byteLength(text, 'utf8')} bytes; a keyset file is read up to ${DEFAULT_LIMITS.maxBytes}`,
      { key },
    );
  }
  return (await location.vfs.write(key, text, { contentType: 'application/yaml', ...options.write })).version;
}

/** Options of {@link putKeyset}: create only by default; `overwrite` or `ifMatch` to replace. */
export interface PutKeysetOptions {
  ifMatch?: string;
  overwrite?: boolean;
  provider?: KeyProvider;
  signal?: AbortSignal;
}

/**
 * Writes a whole keyset (statestore's `putKeyset`). When it replaces a stored one, the stored
 * document's unknown fields are kept and the write is conditional on the version read, so a
 * concurrent change is not silently lost (PreconditionFailed).
 */
export async function putKeyset(location: StoreLocation, keyset: Keyset, options: PutKeysetOptions): Promise<string> {
  const { signal, provider } = options;
  if (options.ifMatch === undefined && options.overwrite !== true)
    return writeKeyset(location, keyset, { write: { ifNoneMatch: '*', signal }, provider });
  const key = keysetKey(location, keyset.name);
  const read = await readCapped(location.vfs, key, { signal }).catch((err: unknown) =>
    isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err),
  );
  if (read === undefined) {
    if (options.ifMatch !== undefined)
      throw new StateStoreError(
        'PreconditionFailed',
        `keyset "${keyset.name}" does not exist (ifMatch ${options.ifMatch})`,
        { key },
      );
    return writeKeyset(location, keyset, { write: { ifNoneMatch: '*', signal }, provider });
  }
  if (options.ifMatch !== undefined && options.ifMatch !== read.info.version)
    throw new StateStoreError(
      'PreconditionFailed',
      `keyset "${keyset.name}" changed since version ${options.ifMatch}`,
      { key },
    );
  let raw: Record<string, unknown> | undefined;
  try {
    const documents = parseYamlDocuments(Buffer.from(read.body).toString('utf8'));
    raw = documents.length === 1 && isPlainObject(documents[0]!.value) ? documents[0]!.value : undefined;
  } catch {
    raw = undefined; // an unreadable file being overwritten has no fields worth keeping
  }
  return writeKeyset(location, keyset, { write: { ifMatch: read.info.version, signal }, provider, raw });
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** A copy with every map's keys in the order kops's YAML encoder (go-yaml v2, through sigs.k8s.io/yaml) writes them. */
export function sortKeysAsGoYaml(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysAsGoYaml);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value).sort(goYamlKeyOrder)) out[name] = sortKeysAsGoYaml(value[name]);
  return out;
}

const LETTER = /\p{L}/u;
const DIGIT = /[0-9]/;

/** go-yaml v2's keyList.Less (sorter.go) for string keys: letters by code point, runs of digits by value. */
function goYamlKeyOrder(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = LETTER.test(ar[i]!);
    const bl = LETTER.test(br[i]!);
    if (al && bl) return ar[i]! < br[i]! ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j]!); j--)
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && DIGIT.test(ar[ai]!); ai++) an = an * 10n + BigInt(ar[ai]!);
    for (; bi < br.length && DIGIT.test(br[bi]!); bi++) bn = bn * 10n + BigInt(br[bi]!);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ar[i]! < br[i]! ? -1 : 1;
  }
  return ar.length - br.length;
}
