import { StateStoreError } from '../vfs/errors.js';
import type { Vfs, WriteOptions } from '../vfs/types.js';
import { stringifyYaml } from '../merge/yaml/update.js';
import { sealEnvelope } from './envelope.js';
import type { KeyProvider } from './key-provider.js';
import { layout } from './layout.js';
import type { Keyset } from './pki.js';

const KEY_ID = /^[0-9A-Za-z._-]{1,128}$/;

/**
 * Writes a keyset to `pki/private/<name>/keyset.yaml` in kops's format (as kops's
 * `VFSCAStore.StoreKeyset` does: the primary key must exist and hold a certificate and a private
 * key; items ordered oldest id first). With `provider`, each private key is sealed (envelope.ts):
 * statestore reads it back, kops cannot.
 */
export async function writeKeyset(vfs: Vfs, cluster: string, keyset: Keyset, options: WriteOptions = {}, provider?: KeyProvider): Promise<string> {
  const key = layout.privateKeyset(cluster, keyset.name);
  const primary = keyset.keys.find((item) => item.id === keyset.primaryId);
  if (keyset.primaryId === undefined || primary === undefined) throw new StateStoreError('InvalidArgument', `keyset "${keyset.name}" must name a primary key present among its keys`, { key });
  if (primary.certificate === undefined || primary.privateKey === undefined) {
    throw new StateStoreError('InvalidArgument', `keyset "${keyset.name}": the primary key ${primary.id} must have a certificate and a private key`, { key });
  }
  const ids = new Set<string>();
  for (const item of keyset.keys) {
    if (!KEY_ID.test(item.id) || ids.has(item.id)) throw new StateStoreError('InvalidArgument', `keyset "${keyset.name}": key ids must be unique and plain (got ${JSON.stringify(item.id.slice(0, 40))})`, { key });
    ids.add(item.id);
  }
  const items = await Promise.all([...keyset.keys].sort((a, b) => olderFirst(a.id, b.id)).map(async (item) => {
    const privateMaterial = item.privateKey === undefined ? undefined
      : provider === undefined ? base64(item.privateKey) : await sealEnvelope(Buffer.from(item.privateKey, 'utf8'), provider, `${key}#${item.id}`);
    return {
      id: item.id,
      ...(privateMaterial !== undefined ? { privateMaterial } : {}),
      ...(item.certificate !== undefined ? { publicMaterial: base64(item.certificate) } : {}),
    };
  }));
  const document = {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Keyset',
    metadata: { creationTimestamp: null, name: keyset.name },
    spec: { keys: items, primaryID: keyset.primaryId, type: keyset.type },
  };
  return (await vfs.write(key, stringifyYaml(document), { contentType: 'application/yaml', ...options })).version;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

// kops's KeysetItemIdOlder: decimal serials compare as numbers and sort before other ids, which compare as text.
function olderFirst(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  if (numeric.test(a) !== numeric.test(b)) return numeric.test(a) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
