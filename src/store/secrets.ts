import { isStateStoreError, StateStoreError } from '../vfs/errors.js';
import type { Vfs, WriteOptions } from '../vfs/types.js';
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

/** Reads a secret in kops's format (`{"Data": "<base64>"}`), returning its bytes. */
export async function readSecret(vfs: Vfs, cluster: string, name: string, signal?: AbortSignal): Promise<Uint8Array> {
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
    throw new StateStoreError('InvalidArgument', `secret "${name}" is not kops's {"Data": ...} JSON`, { key, cause: err });
  }
  const data = (parsed as { Data?: unknown } | null)?.Data;
  if (typeof data !== 'string') throw new StateStoreError('InvalidArgument', `secret "${name}" has no "Data" string`, { key });
  return new Uint8Array(Buffer.from(data, 'base64'));
}

/** Writes a secret in kops's format. Default: create only (kops never overwrites a secret silently). */
export async function writeSecret(vfs: Vfs, cluster: string, name: string, data: Uint8Array | string, options: WriteOptions = { ifNoneMatch: '*' }): Promise<string> {
  checkSecretName(name);
  const body = JSON.stringify({ Data: Buffer.from(typeof data === 'string' ? Buffer.from(data) : data).toString('base64') });
  return (await vfs.write(layout.secret(cluster, name), body, { contentType: 'application/json', ...options })).version;
}
