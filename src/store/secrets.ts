import { isStateStoreError, StateStoreError } from '../errors.js';
import type { CallOptions, DeleteOptions, WriteOptions } from '../vfs/types.js';
import { openStoredValue, sealEnvelope } from './encryption/envelope.js';
import type { KeyProvider } from './encryption/key-provider.js';
import type { StoreLocation } from './locations.js';

/**
 * kops's secrets: one object per secret, `{secretStore}/<name>`, holding `json.Marshal` of
 * `fi.Secret{Data []byte}` (kops: upup/pkg/fi/secrets.go, upup/pkg/fi/secrets/vfs_secretstore.go):
 * exactly `{"Data":"<standard padded base64>"}`, no spaces, no trailing newline.
 */

/** The longest secret name, in UTF-8 bytes: one path segment on every file system (NAME_MAX). */
const MAX_NAME_BYTES = 255;

/**
 * Checks a secret name. kops names its secrets freely (`kubelet`, `system:dns`,
 * `system:controller_manager`, `dockerconfig` ...: pkg/tokens/wellknown.go, cmd/kops/create_secret_*.go)
 * and refuses only an empty one (upup/pkg/fi/fitasks/secret.go: RequiredField("Name");
 * cmd/kops/delete_secret.go: "secret name is required"). It joins the name onto the folder with
 * vfs.Path.Join, which would resolve `..` and `/`: those, `.`, `\` and NUL are refused here so
 * that a name never leaves its folder.
 */
export function validateSecretName(name: unknown): asserts name is string {
  const problem = secretNameProblem(name);
  if (problem !== undefined) {
    const shown =
      typeof name === 'string'
        ? JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name)
        : `(${typeof name})`;
    throw new StateStoreError('InvalidArgument', `invalid secret name ${shown}: ${problem}`);
  }
}

function secretNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  if (name === '') return 'is required (kops refuses an empty secret name)';
  if (name === '.' || name === '..') return 'must not be "." or ".." (it would name the folder, not a secret in it)';
  if (/[/\\]/.test(name)) return 'must not contain "/" or "\\" (a secret is one object in the secrets folder)';
  if (name.includes('\0')) return 'must not contain NUL';
  if (!name.isWellFormed()) return 'must be well-formed Unicode';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `must be at most ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/**
 * Names of the secrets in a secret store: the objects directly in its folder (kops lists with
 * ReadDir, a `/`-delimited listing on object stores), in key order.
 */
export async function listSecrets(location: StoreLocation, signal?: AbortSignal): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await location.vfs.list({
      ...(location.prefix === '' ? {} : { prefix: location.prefix }),
      delimiter: '/',
      pageToken,
      signal,
    });
    for (const info of page.objects) {
      const name = info.key.slice(location.prefix.length);
      if (secretNameProblem(name) === undefined) names.push(name);
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return names;
}

/** How a secret is read. */
export interface SecretReadOptions extends CallOptions {
  /** Opens sealed secrets; when set, the store encrypts. */
  provider?: KeyProvider;
  /** With a provider, still accept kops's plain secrets (see StateStoreOptions.allowPlaintext). */
  allowPlaintext?: boolean;
}

/**
 * Reads a secret in kops's format, returning its bytes. A secret sealed by statestore (`Data` is an
 * envelope, see envelope.ts) is opened with `provider`; every stored value is decoded strictly.
 */
export async function readSecret(
  location: StoreLocation,
  name: string,
  options: SecretReadOptions = {},
): Promise<Uint8Array> {
  validateSecretName(name);
  const key = location.prefix + name;
  let body: Uint8Array;
  try {
    body = (await location.vfs.read(key, { signal: options.signal })).body;
  } catch (err) {
    if (isStateStoreError(err, 'NotFound'))
      throw new StateStoreError('NotFound', `secret "${name}" not found`, { key, cause: err });
    throw err;
  }
  const data = parseSecretJson(Buffer.from(body).toString('utf8'), name, key);
  if (data === undefined) return new Uint8Array();
  try {
    return await openStoredValue(data, key, `secret "${name}"`, options);
  } catch (err) {
    if (isStateStoreError(err)) throw new StateStoreError(err.code, err.message, { key, cause: err });
    throw err;
  }
}

/**
 * The `Data` string of kops's secret JSON, as Go's encoding/json finds it: the key matched
 * case-insensitively (the last match wins), `null` or absent meaning no data.
 */
function parseSecretJson(text: string, name: string, key: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // A cut-off sealed secret is damage, not a format mistake.
    const sealed = /"Data"\s*:\s*"ssenc/i.test(text);
    throw new StateStoreError(
      sealed ? 'IntegrityError' : 'InvalidArgument',
      `secret "${name}" is not kops's {"Data": ...} JSON${sealed ? ' (an encrypted secret, cut short?)' : ''}`,
      { key, cause: err },
    );
  }
  if (parsed === null) return undefined;
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new StateStoreError('InvalidArgument', `secret "${name}" is not kops's {"Data": ...} JSON object`, { key });
  let data: unknown;
  for (const [field, value] of Object.entries(parsed)) if (field.toLowerCase() === 'data') data = value;
  if (data === undefined || data === null) return undefined;
  if (typeof data !== 'string')
    throw new StateStoreError('InvalidArgument', `secret "${name}": "Data" must be a base64 string`, { key });
  return data;
}

/**
 * Writes a secret in kops's format. Default: create only (kops's GetOrCreateSecret; `overwrite`
 * is its ReplaceSecret). With `provider`, `Data` holds a sealed envelope instead of base64: kops
 * cannot read that secret. Nothing is written that a read would refuse (too large an envelope).
 */
export async function writeSecret(
  location: StoreLocation,
  name: string,
  data: Uint8Array | string,
  options: WriteOptions = { ifNoneMatch: '*' },
  provider?: KeyProvider,
): Promise<string> {
  validateSecretName(name);
  if (typeof data !== 'string' && !(data instanceof Uint8Array))
    throw new StateStoreError('InvalidArgument', `secret "${name}": data must be a string or a Uint8Array`);
  const key = location.prefix + name;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const material =
    provider === undefined ? Buffer.from(bytes).toString('base64') : await sealEnvelope(bytes, provider, key);
  // kops: json.Marshal(&fi.Secret{Data}) — the same bytes as JSON.stringify of one string field.
  const body = JSON.stringify({ Data: material });
  return (await location.vfs.write(key, body, { contentType: 'application/json', ...options })).version;
}

/**
 * Deletes a secret (kops: VFSSecretStore.DeleteSecret, `kops delete secret NAME`). Deleting a
 * missing secret succeeds, as on kops's object stores (S3 DeleteObject is idempotent).
 */
export async function deleteSecret(location: StoreLocation, name: string, options: DeleteOptions = {}): Promise<void> {
  validateSecretName(name);
  await location.vfs.delete(location.prefix + name, options);
}
