import { StateStoreError } from '../errors.js';
import { redactedCopy } from '../vfs/redact.js';
import { portable } from '../vfs/portable.js';
import type { Vfs } from '../vfs/types.js';
import type { BackendFactory } from './factory.js';
import { parseStoreUrl } from '../vfs/url.js';
import { cloudUrlHint } from '../vfs/url-hints.js';
import { builtinBackends } from './builtin.js';
import type { OpenVfsOptions } from './options.js';

/**
 * The registered backends, on `globalThis` under a registered symbol: the ESM and the CommonJS
 * copies of this package (an application may load both) share one table, as they share memfs stores.
 */
const registered: Map<string, BackendFactory> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('statestore.backends.v1')
] ??= new Map<string, BackendFactory>()) as Map<string, BackendFactory>;

/**
 * Adds a backend for its schemes (replacing a built-in one with the same scheme).
 *
 * @example
 * ```ts
 * import { openVfs } from 'kops-statestore';
 * import { registerBackend, type VfsDriver } from 'kops-statestore/driver';
 * declare function myDriver(bucket: string): VfsDriver; // your implementation of the contract
 *
 * registerBackend({ schemes: ['mystore'], open: async (url) => myDriver(url.host) });
 * const vfs = await openVfs('mystore://bucket/prefix');
 * ```
 */
export function registerBackend(factory: BackendFactory): void {
  for (const scheme of factory.schemes) registered.set(scheme.toLowerCase(), factory);
}

/**
 * Opens a store by URL: `file:///abs/path` or a bare path, `memfs://name`, `s3://bucket/prefix`
 * (and `do://`, `scw://`, `hos://`, `linode://`), `gs://bucket/prefix`,
 * `azureblob://account/container/prefix`. Cloud SDKs load on first use of their scheme.
 * An unknown scheme or malformed URL throws InvalidArgument naming the URL without credentials.
 */
export async function openVfs(url: string, options: OpenVfsOptions = {}): Promise<Vfs> {
  const parsed = parseStoreUrl(url);
  const factory = registered.get(parsed.scheme) ?? (await loadBuiltin(parsed.scheme));
  if (factory === undefined) {
    // Say what would work: the kops URL for a pasted https bucket URL, else the schemes there are.
    const hint = cloudUrlHint(parsed);
    const advice =
      hint === undefined
        ? `supported schemes: ${supportedSchemes()
            .map((s) => `${s}://`)
            .join(', ')}, or a local path`
        : `write it as ${JSON.stringify(hint)}`;
    throw new StateStoreError(
      'InvalidArgument',
      `unknown state-store scheme "${parsed.scheme}" in ${JSON.stringify(parsed.redacted)}; ${advice}`,
    );
  }
  return portable(await factory.open(parsed, keptOptions(options)), options.events);
}

/**
 * The options a backend keeps, copied so that they print and serialise as `{}` (#25.5): the
 * backend's own options and the credentials objects inside (`s3.credentials`,
 * `gcs.credentials`, `swift.auth`), and `env`, which defaults to `process.env`. The caller's
 * objects are left as they are.
 */
function keptOptions(options: OpenVfsOptions): OpenVfsOptions {
  const kept = redactedCopy(options, 'OpenVfsOptions');
  if (options.env !== undefined) kept.env = redactedCopy(options.env, 'Env');
  if (options.s3 !== undefined)
    kept.s3 = withRedactedField(redactedCopy(options.s3, 'S3BackendOptions'), 'credentials');
  if (options.gcs !== undefined)
    kept.gcs = withRedactedField(redactedCopy(options.gcs, 'GcsBackendOptions'), 'credentials');
  if (options.azure !== undefined) kept.azure = redactedCopy(options.azure, 'AzureBackendOptions');
  if (options.swift !== undefined)
    kept.swift = withRedactedField(redactedCopy(options.swift, 'SwiftBackendOptions'), 'auth');
  return kept;
}

/** `options` with its plain-object field `name` (credentials) replaced by a redacted copy. */
function withRedactedField<T extends object>(options: T, name: keyof T & string): T {
  const value = options[name];
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    options[name] = redactedCopy(value, name) as T[keyof T & string];
  return options;
}

/** Every scheme `openVfs` can open: the built-in ones and those registered, sorted. */
export function supportedSchemes(): string[] {
  return [...new Set([...builtinBackends.flatMap((entry) => entry.schemes), ...registered.keys()])].sort();
}

async function loadBuiltin(scheme: string): Promise<BackendFactory | undefined> {
  const entry = builtinBackends.find((candidate) => candidate.schemes.includes(scheme));
  return entry === undefined ? undefined : entry.load();
}
