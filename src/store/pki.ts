import { isStateStoreError, StateStoreError } from '../vfs/errors.js';
import type { Vfs } from '../vfs/types.js';
import { isPlainObject } from '../merge/guard.js';
import { parseYamlDocuments } from '../merge/yaml/parse.js';
import { isEnvelope, openEnvelope } from './envelope.js';
import type { KeyProvider } from './key-provider.js';
import { layout } from './layout.js';

/** One key of a kops Keyset: a certificate and, in `pki/private`, its private key (PEM text). */
export interface KeysetItem {
  id: string;
  certificate?: string;
  privateKey?: string;
}

/** A kops Keyset (`pki/private/<name>/keyset.yaml` or `pki/issued/<name>/keyset.yaml`). */
export interface Keyset {
  name: string;
  type: string;
  primaryId?: string;
  keys: KeysetItem[];
}

/** An SSH public key of the cluster's admin user (`pki/ssh/public/admin/<fingerprint>`). */
export interface SshPublicKey {
  fingerprint: string;
  publicKey: string;
}

/** Names of the keysets under `pki/private/` (with private keys) or `pki/issued/` (certificates only). */
export async function listKeysets(vfs: Vfs, cluster: string, which: 'private' | 'issued', signal?: AbortSignal): Promise<string[]> {
  const prefix = which === 'private' ? layout.privateKeysets(cluster) : layout.issuedKeysets(cluster);
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await vfs.list({ prefix, delimiter: '/', pageToken, signal });
    names.push(...page.prefixes.map((p) => p.slice(prefix.length, -1)));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return names;
}

/**
 * Reads a keyset in kops's format, decoding the base64 PEM material. Private keys sealed by
 * statestore (see envelope.ts) are opened with `provider`.
 */
export async function readKeyset(vfs: Vfs, cluster: string, name: string, which: 'private' | 'issued', signal?: AbortSignal, provider?: KeyProvider): Promise<Keyset> {
  const key = which === 'private' ? layout.privateKeyset(cluster, name) : layout.issuedKeyset(cluster, name);
  let body: Uint8Array;
  try {
    body = (await vfs.read(key, { signal })).body;
  } catch (err) {
    if (isStateStoreError(err, 'NotFound')) throw new StateStoreError('NotFound', `keyset "${name}" not found in ${which}`, { key, cause: err });
    throw err;
  }
  const documents = parseYamlDocuments(Buffer.from(body).toString('utf8'));
  const value = documents.length === 1 ? documents[0]!.value : undefined;
  const spec = isPlainObject(value) && isPlainObject(value.spec) ? value.spec : undefined;
  if (spec === undefined || (value as { kind?: unknown }).kind !== 'Keyset' || !Array.isArray(spec.keys)) {
    throw new StateStoreError('InvalidArgument', `${key} is not a kops Keyset`, { key });
  }
  const decode = (material: unknown) => (typeof material === 'string' ? Buffer.from(material, 'base64').toString('utf8') : undefined);
  const decodePrivate = async (material: unknown, id: string): Promise<string | undefined> => {
    if (typeof material !== 'string' || !isEnvelope(material)) return decode(material);
    if (provider === undefined) throw new StateStoreError('InvalidArgument', `keyset "${name}" key ${id}: the private key is encrypted; open the store with an encryption key or key provider`, { key });
    const opened = await openEnvelope(material, provider, `${key}#${id}`).catch((err: unknown) => {
      if (isStateStoreError(err)) throw new StateStoreError(err.code, `keyset "${name}" key ${id}: ${err.message}`, { key, cause: err });
      throw err;
    });
    return Buffer.from(opened).toString('utf8');
  };
  const keys = await Promise.all(spec.keys.filter(isPlainObject).map(async (item) => {
    const id = String(item.id);
    const certificate = decode(item.publicMaterial);
    const privateKey = await decodePrivate(item.privateMaterial, id);
    return { id, ...(certificate ? { certificate } : {}), ...(privateKey ? { privateKey } : {}) };
  }));
  return {
    name,
    type: String(spec.type ?? 'Keypair'),
    ...(spec.primaryID !== undefined ? { primaryId: String(spec.primaryID) } : {}),
    keys,
  };
}

/** The admin SSH public keys kops keeps for the cluster. */
export async function listSshPublicKeys(vfs: Vfs, cluster: string, signal?: AbortSignal): Promise<SshPublicKey[]> {
  const prefix = layout.sshPublicKeys(cluster);
  const keys: SshPublicKey[] = [];
  for await (const info of vfs.listAll({ prefix, signal })) {
    const body = (await vfs.read(info.key, { signal })).body;
    keys.push({ fingerprint: info.key.slice(prefix.length), publicKey: Buffer.from(body).toString('utf8').trim() });
  }
  return keys;
}
