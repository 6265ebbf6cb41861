import { isStateStoreError, StateStoreError } from '../vfs/errors.js';
import type { Vfs, WriteOptions } from '../vfs/types.js';
import { isEnvelope, openEnvelope, sealEnvelope } from './envelope.js';
import type { KeyProvider } from './key-provider.js';
import { layout } from './layout.js';

const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) throw new StateStoreError('InvalidArgument', `invalid secret name ${JSON.stringify(name.slice(0, 80))}`);
}

/** Names of the cluster's secrets (`secrets/<name>`). */
export async function listSecrets(vfs: Vfs, cluster: string, signal?: AbortSignal): Promise<string[]> {
  const prefix = layout.secrets(cluster);
  const names: string[] = [];
  for await (const info of vfs.listAll({ prefix, signal })) names.push(info.key.slice(prefix.length));
  return names;
}

/**
 * Reads a secret in kops's format (`{"Data": "<base64>"}`), returning its bytes. A secret sealed by
 * statestore (`Data` is an envelope, see envelope.ts) is opened with `provider`.
 */
export async function readSecret(vfs: Vfs, cluster: string, name: string, signal?: AbortSignal, provider?: KeyProvider): Promise<Uint8Array> {
  checkSecretName(name);
  const key = layout.secret(cluster, name);
  let body: Uint8Array;
  try {
    body = (await vfs.read(key, { signal })).body;
  } catch (err) {
    if (isStateStoreError(err, 'NotFound')) throw new StateStoreError('NotFound', `secret "${name}" not found`, { key, cause: err });
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (err) {
    // A cut-off sealed secret is damage, not a format mistake.
    const sealed = Buffer.from(body).toString('utf8').includes(`"Data":"ssenc1.`);
    throw new StateStoreError(sealed ? 'IntegrityError' : 'InvalidArgument', `secret "${name}" is not kops's {"Data": ...} JSON${sealed ? ' (an encrypted secret, cut short?)' : ''}`, { key, cause: err });
  }
  const data = (parsed as { Data?: unknown } | null)?.Data;
  if (typeof data !== 'string') throw new StateStoreError('InvalidArgument', `secret "${name}" has no "Data" string`, { key });
  if (isEnvelope(data)) {
    if (provider === undefined) throw new StateStoreError('InvalidArgument', `secret "${name}" is encrypted: open the store with an encryption key or key provider`, { key });
    return openEnvelope(data, provider, key).catch((err: unknown) => {
      if (isStateStoreError(err)) throw new StateStoreError(err.code, `secret "${name}": ${err.message}`, { key, cause: err });
      throw err;
    });
  }
  return new Uint8Array(Buffer.from(data, 'base64'));
}

/**
 * Writes a secret in kops's format. Default: create only (kops never overwrites a secret silently).
 * With `provider`, `Data` holds a sealed envelope instead of base64: kops cannot read that secret.
 */
export async function writeSecret(vfs: Vfs, cluster: string, name: string, data: Uint8Array | string, options: WriteOptions = { ifNoneMatch: '*' }, provider?: KeyProvider): Promise<string> {
  checkSecretName(name);
  const key = layout.secret(cluster, name);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const body = JSON.stringify({ Data: provider === undefined ? Buffer.from(bytes).toString('base64') : await sealEnvelope(bytes, provider, key) });
  return (await vfs.write(key, body, { contentType: 'application/json', ...options })).version;
}
