import { isStateStoreError, StateStoreError } from '../../errors.js';
import { writeKeyset } from './keyset-write.js';
import type { KeyProvider } from '../encryption/key-provider.js';
import type { StoreLocation } from '../locations.js';
import type { CreateKeypairResult, KeypairTrustResult, PromoteKeypairResult, WriteResult } from '../results.js';
import { validateRotatableKeysetName } from '../names.js';
import { buildPkiSerial, issueSelfSignedCa, parseCertificatePem, parsePrivateKeyPem } from './pem.js';
import {
  DECIMAL_ID,
  formatTimestamp,
  keysetKey,
  loadKeyset,
  type Keyset,
  type KeysetItem,
  type StoredKeyset,
} from './keysets.js';

/**
 * kops's keypair lifecycle (kops: cmd/kops/create_keypair.go, promote_keypair.go,
 * distrust_keypair.go, trust_keypair.go; upup/pkg/fi/ca.go Keyset.AddItem). Each call reads the
 * keyset, decides as kops decides, and writes it back only if nobody changed it meanwhile
 * (PreconditionFailed otherwise); a refused call writes nothing.
 */

/** The key store and how its private keys are sealed and opened. */
export interface KeyStoreContext {
  location: StoreLocation;
  provider?: KeyProvider;
  allowPlaintext?: boolean;
  signal?: AbortSignal;
}

/** Options of `createKeypair` (the flags of `kops create keypair`). */
export interface CreateKeypairOptions {
  /** A CA certificate (PEM) to add instead of issuing a new one (`--cert`). */
  certificate?: string;
  /** Its private key (PEM, `--key`); without a certificate, a new self-signed certificate is issued for it. */
  privateKey?: string;
  /** Make the new keypair the primary, the one that signs (`--primary`). Required for the first keypair. */
  primary?: boolean;
}

/** InvalidArgument unless `ids` is a list of strings (a lone string would be taken for its characters). */
function checkIds(ids: unknown, field: string): asserts ids is readonly string[] {
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
    throw new StateStoreError('InvalidArgument', `${field} must be a list of keypair ids (strings)`);
}

async function load(context: KeyStoreContext, name: string): Promise<StoredKeyset> {
  return loadKeyset(context.location, name, 'private', context);
}

/** Writes the keyset back if nobody changed it since `stored` was read; resolves to the new version. */
async function store(context: KeyStoreContext, stored: StoredKeyset, keyset: Keyset): Promise<string> {
  // A keyset read under its pre-1.22 name is written under the current one, as kops's StoreKeyset does.
  const condition =
    stored.key === keysetKey(context.location, keyset.name)
      ? { ifMatch: stored.version }
      : { ifNoneMatch: '*' as const };
  return writeKeyset(context.location, keyset, {
    write: { ...condition, signal: context.signal },
    provider: context.provider,
    raw: stored.raw,
  });
}

function serialOf(item: KeysetItem | undefined): bigint | undefined {
  return item?.certificate === undefined
    ? undefined
    : parseCertificatePem(item.certificate, `keypair ${item.id} certificate`);
}

/**
 * Adds a keypair as `kops create keypair` does: a new self-signed CA unless a certificate is given;
 * not primary unless `primary` (the first keypair of a keyset must be). Returns its id and the keyset's new version.
 */
export async function createKeypair(
  context: KeyStoreContext,
  name: string,
  options: CreateKeypairOptions = {},
): Promise<CreateKeypairResult> {
  validateRotatableKeysetName(name, 'adding keypair to'); // kops: cmd/kops/create_keypair.go rotatableKeysetFilter
  const primary = options.primary === true;
  for (const field of ['certificate', 'privateKey'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'string')
      throw new StateStoreError('InvalidArgument', `${field} must be PEM text`);
  }
  if (options.privateKey !== undefined) parsePrivateKeyPem(options.privateKey, 'privateKey');
  if (options.privateKey === undefined && primary && options.certificate !== undefined) {
    throw new StateStoreError(
      'InvalidArgument',
      'primary: a keypair without its privateKey cannot be primary (kops: "private key not provided for primary item")',
    );
  }
  const stored = await load(context, name).catch((err: unknown) =>
    isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err),
  );
  if (stored === undefined && !primary)
    throw new StateStoreError(
      'InvalidArgument',
      `keyset "${name}" does not exist: the first keypair added to a keyset must be primary (pass primary: true)`,
    );
  const issued = options.certificate === undefined ? await issueSelfSignedCa(name, options.privateKey) : undefined;
  const certificate = issued?.certificate ?? options.certificate!;
  const privateKey = issued?.privateKey ?? options.privateKey;
  const serial = issued?.serial ?? parseCertificatePem(certificate, 'certificate');
  const keyset: Keyset =
    stored === undefined ? { name, type: 'Keypair', keys: [] } : { ...stored.keyset, keys: [...stored.keyset.keys] };
  const current = keyset.keys.find((item) => item.id === keyset.primaryId);
  if (!primary && current === undefined)
    throw new StateStoreError(
      'PreconditionFailed',
      `keyset "${name}" has no primary keypair to add a secondary one to`,
    );
  const id = newItemId(keyset, serial, primary, privateKey === undefined, serialOf(current));
  const item: KeysetItem = { id, certificate, ...(privateKey !== undefined ? { privateKey } : {}) };
  keyset.keys = [...keyset.keys.filter((other) => other.id !== id), item];
  if (primary) keyset.primaryId = id;
  const version =
    stored === undefined
      ? await writeKeyset(context.location, keyset, {
          write: { ifNoneMatch: '*', signal: context.signal },
          provider: context.provider,
        })
      : await store(context, stored, keyset);
  return { id, version };
}

/**
 * The id kops gives a new item (kops: upup/pkg/fi/ca.go AddItem): the certificate's serial when it
 * is not in the future and, for a new primary, above every existing id; else a fresh
 * {@link buildPkiSerial}. A certificate without its key takes the lowest free id from 0 when its
 * id would not sort before the primary's certificate serial.
 */
function newItemId(
  keyset: Keyset,
  serial: bigint,
  primary: boolean,
  certificateOnly: boolean,
  primarySerial: bigint | undefined,
): string {
  let highest = 0n;
  for (const item of keyset.keys) if (DECIMAL_ID.test(item.id) && BigInt(item.id) > highest) highest = BigInt(item.id);
  let id = buildPkiSerial();
  if (serial <= id && (!primary || serial > highest)) id = serial;
  if (certificateOnly && primarySerial !== undefined && primarySerial <= id) {
    const taken = new Set(keyset.keys.map((item) => item.id));
    for (id = 0n; taken.has(id.toString()); id++);
  }
  return id.toString();
}

/**
 * Makes a keypair the primary, as `kops promote keypair` does. Without `id`, the trusted keypair
 * with a certificate, a private key and the highest id; nothing changes when that is already the
 * primary (`promoted: false`).
 */
export async function promoteKeypair(
  context: KeyStoreContext,
  name: string,
  id?: string,
): Promise<PromoteKeypairResult> {
  validateRotatableKeysetName(name, 'promoting keypairs for');
  if (id !== undefined && typeof id !== 'string')
    throw new StateStoreError('InvalidArgument', 'id must be a keypair id (string)');
  const stored = await load(context, name);
  const { keyset } = stored;
  let chosen: KeysetItem | undefined;
  if (id === undefined) {
    for (const item of keyset.keys) {
      const usable =
        item.privateKey !== undefined &&
        item.certificate !== undefined &&
        item.distrustTimestamp === undefined &&
        DECIMAL_ID.test(item.id) &&
        BigInt(item.id) > 0n;
      if (usable && (chosen === undefined || BigInt(item.id) > BigInt(chosen.id))) chosen = item;
    }
    if (chosen === undefined)
      throw new StateStoreError(
        'PreconditionFailed',
        `keyset "${name}" has no trusted keypair with a private key to promote`,
      );
    if (chosen.id === keyset.primaryId) return { id: chosen.id, promoted: false, version: stored.version };
  } else {
    chosen = keyset.keys.find((item) => item.id === id);
    if (chosen === undefined) throw new StateStoreError('NotFound', `keyset "${name}": keypair ${id} not found`);
    const why =
      chosen.distrustTimestamp !== undefined
        ? 'is distrusted'
        : chosen.privateKey === undefined
          ? 'has no private key'
          : chosen.certificate === undefined
            ? 'has no certificate'
            : undefined;
    if (why !== undefined)
      throw new StateStoreError('PreconditionFailed', `keyset "${name}": keypair ${id} ${why}; it cannot be primary`);
  }
  const version = await store(context, stored, { ...keyset, primaryId: chosen.id });
  return { id: chosen.id, promoted: true, version };
}

/**
 * Distrusts keypairs as `kops distrust keypair` does: sets their `distrustTimestamp` (now, UTC).
 * Without ids, every trusted keypair whose certificate serial is below the primary's. The primary
 * cannot be distrusted. Already distrusted ones are left as they are. Returns the ids distrusted and the keyset's version.
 * kops writes after each id; here all are checked first and written once.
 */
export async function distrustKeypairs(
  context: KeyStoreContext,
  name: string,
  ids?: readonly string[],
  now: Date = new Date(),
): Promise<KeypairTrustResult> {
  if (ids !== undefined) checkIds(ids, 'ids');
  const stored = await load(context, name);
  const { keyset } = stored;
  const primary = keyset.keys.find((item) => item.id === keyset.primaryId);
  let chosen = ids ?? [];
  if (ids === undefined) {
    const primarySerial = serialOf(primary);
    if (primarySerial === undefined)
      throw new StateStoreError('PreconditionFailed', `keyset "${name}" has no primary keypair with a certificate`);
    chosen = keyset.keys
      .filter((item) => item.distrustTimestamp === undefined && (serialOf(item) ?? primarySerial) < primarySerial)
      .map((item) => item.id);
  }
  for (const id of chosen) {
    if (id === keyset.primaryId)
      throw new StateStoreError(
        'PreconditionFailed',
        `keyset "${name}": cannot distrust the primary keypair ${id}; promote another first`,
      );
    if (!keyset.keys.some((item) => item.id === id))
      throw new StateStoreError('NotFound', `keyset "${name}": keypair ${id} not found`);
  }
  const changed = keyset.keys
    .filter((item) => chosen.includes(item.id) && item.distrustTimestamp === undefined)
    .map((item) => item.id);
  if (changed.length === 0) return { ids: [], version: stored.version };
  const at = formatTimestamp(now);
  const version = await store(context, stored, {
    ...keyset,
    keys: keyset.keys.map((item) => (changed.includes(item.id) ? { ...item, distrustTimestamp: at } : item)),
  });
  return { ids: changed, version };
}

/** Trusts distrusted keypairs again, as `kops trust keypair` does. Returns the ids changed and the keyset's version. */
export async function trustKeypairs(
  context: KeyStoreContext,
  name: string,
  ids: readonly string[],
): Promise<KeypairTrustResult> {
  checkIds(ids, 'ids');
  const stored = await load(context, name);
  const { keyset } = stored;
  for (const id of ids)
    if (!keyset.keys.some((item) => item.id === id))
      throw new StateStoreError('NotFound', `keyset "${name}": keypair ${id} not found`);
  const changed = keyset.keys
    .filter((item) => ids.includes(item.id) && item.distrustTimestamp !== undefined)
    .map((item) => item.id);
  if (changed.length === 0) return { ids: [], version: stored.version };
  const keys = keyset.keys.map((item) => {
    if (!changed.includes(item.id)) return item;
    const { distrustTimestamp: _, ...trusted } = item;
    return trusted;
  });
  // As kops: the primary stays the one found when reading (a keyset with none is refused on write).
  const version = await store(context, stored, { ...keyset, keys });
  return { ids: changed, version };
}

/**
 * Removes a keypair from its keyset, as `kops delete keypair` did before kops 1.22 renamed it to
 * `distrust` (kops: cmd/kops/delete_keypair.go at 584aa56b6b^): the primary cannot be deleted.
 * Current kops keeps distrusted keys instead; prefer {@link distrustKeypairs}.
 */
export async function deleteKeypair(context: KeyStoreContext, name: string, id: string): Promise<WriteResult> {
  if (typeof id !== 'string') throw new StateStoreError('InvalidArgument', 'id must be a keypair id (string)');
  const stored = await load(context, name);
  const { keyset } = stored;
  if (id === keyset.primaryId)
    throw new StateStoreError('PreconditionFailed', `keyset "${name}": cannot delete the primary keypair ${id}`);
  if (!keyset.keys.some((item) => item.id === id))
    throw new StateStoreError('NotFound', `keyset "${name}": keypair ${id} not found`);
  return { version: await store(context, stored, { ...keyset, keys: keyset.keys.filter((item) => item.id !== id) }) };
}
