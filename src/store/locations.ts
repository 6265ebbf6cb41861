import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStateStoreError, StateStoreError } from '../errors.js';
import type { Vfs } from '../vfs/types.js';
import { parseStoreUrl } from '../vfs/url.js';
import { isPlainObject } from '../config/guard.js';

/**
 * Where one kind of a cluster's files lives: a Vfs and the folder inside it (ending in `/`).
 * kops lets a cluster keep its keys and secrets outside `{store}/{cluster}/` (`spec.configStore`,
 * the older `spec.keyStore` / `spec.secretStore`), so pki and secrets code works on a location
 * rather than on a cluster name.
 */
export interface StoreLocation {
  /** The storage holding the location: this store's own, or one opened for a URL outside it. */
  vfs: Vfs;
  /** The folder, relative to the Vfs root, ending in `/` (e.g. `prod.example.com/pki/`), or `''` for the root. */
  prefix: string;
  /**
   * The URL the cluster's config named for this store (`spec.keyStore` ...), when it names one;
   * absent for the default `{cluster}/pki/` and `{cluster}/secrets/`.
   */
  configured?: string;
}

/** The default key store of a cluster: `{cluster}/pki/` in the same store (kops's default). */
export function defaultKeyStore(vfs: Vfs, cluster: string): StoreLocation {
  return { vfs, prefix: `${cluster}/pki/` };
}

/** The default secret store of a cluster: `{cluster}/secrets/` in the same store (kops's default). */
export function defaultSecretStore(vfs: Vfs, cluster: string): StoreLocation {
  return { vfs, prefix: `${cluster}/secrets/` };
}

/** Which separate store: kops's key store (keypairs, SSH keys) or its secret store. */
export type SeparateStoreKind = 'keypairs' | 'secrets';

/**
 * The URL a cluster's config names for its key or secret store, or undefined for the default.
 * kops: pkg/apis/kops/v1alpha2/cluster.go has `keyStore` / `secretStore` (and a `configStore`
 * string that is unused); pkg/apis/kops/v1alpha2/conversion.go maps them to the internal
 * `ConfigStore.Keypairs` / `ConfigStore.Secrets`, which v1alpha3 writes as
 * `spec.configStore.keypairs` / `spec.configStore.secrets`. Either spelling is honoured.
 */
export function configuredStoreUrl(config: unknown, kind: SeparateStoreKind): string | undefined {
  return configuredStore(config, kind)?.url;
}

/** {@link configuredStoreUrl}, with the field that named it (for messages). */
function configuredStore(config: unknown, kind: SeparateStoreKind): { url: string; field: string } | undefined {
  const spec = isPlainObject(config) && isPlainObject(config.spec) ? config.spec : undefined;
  if (spec === undefined) return undefined;
  const field = kind === 'keypairs' ? 'keyStore' : 'secretStore';
  const configStore = isPlainObject(spec.configStore) ? spec.configStore[kind] : undefined;
  const [value, name] =
    configStore !== undefined && configStore !== ''
      ? [configStore, `spec.configStore.${kind}`]
      : [spec[field], `spec.${field}`];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new StateStoreError('InvalidArgument', `${name} must be a store URL (a string)`);
  return { url: value, field: name };
}

/**
 * The files kops's DeleteCluster removes from the discovery store (kops:
 * pkg/client/simple/vfsclientset/clientset.go DeleteCluster): the OIDC documents it publishes.
 */
export const DISCOVERY_FILES = ['openid/v1/jwks', '.well-known/openid-configuration'] as const;

/** `spec.serviceAccountIssuerDiscovery.discoveryStore` (same field in v1alpha2 and v1alpha3), or undefined. */
export function discoveryStoreUrl(config: unknown): string | undefined {
  const spec = isPlainObject(config) && isPlainObject(config.spec) ? config.spec : undefined;
  const discovery =
    spec !== undefined && isPlainObject(spec.serviceAccountIssuerDiscovery)
      ? spec.serviceAccountIssuerDiscovery
      : undefined;
  const value = discovery?.discoveryStore;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new StateStoreError(
      'InvalidArgument',
      'spec.serviceAccountIssuerDiscovery.discoveryStore must be a store URL (a string)',
    );
  return value;
}

/**
 * Where `target` (a store URL or local path, as kops's util/pkg/vfs/context.go BuildVfsPath
 * accepts) lies relative to the store at `storeUrl`: the folder inside it (`'a/b/'`, `''` for its
 * root), or undefined when it is outside (another bucket, scheme, memfs name or folder).
 */
export function prefixInside(storeUrl: string, target: string): string | undefined {
  const store = segmentsOf(storeUrl);
  const other = segmentsOf(target);
  if (store.namespace !== other.namespace || other.root.length < store.root.length) return undefined;
  for (let i = 0; i < store.root.length; i++) if (store.root[i] !== other.root[i]) return undefined;
  const rest = other.root.slice(store.root.length);
  return rest.length === 0 ? '' : `${rest.join('/')}/`;
}

/** True when `outer` is `inner` or one of its ancestors: deleting `outer` would delete `inner`. */
export function containsStore(outer: string, inner: string): boolean {
  return prefixInside(outer, inner) !== undefined;
}

function segmentsOf(url: string): { namespace: string; root: string[] } {
  const parsed = parseStoreUrl(url);
  if (parsed.scheme === 'file') {
    // kops: a path without "://" is a local path (NewFSPath), relative to the working directory.
    const absolute = path.resolve(url.startsWith('file:') ? fileURLToPath(url) : parsed.path);
    return { namespace: 'file', root: absolute.split(path.sep).filter((s) => s !== '') };
  }
  return { namespace: `${parsed.scheme}://${parsed.host}`, root: parsed.path === '' ? [] : parsed.path.split('/') };
}

/** Opens a store by URL (a cluster's separate key or secret store). */
export type OpenStore = (url: string) => Promise<Vfs>;

/**
 * Finds a cluster's key and secret stores as kops's clientset does
 * (kops: pkg/client/simple/vfsclientset/clientset.go, SecretStore and pkiPath): the URL the config
 * names, else `{cluster}/secrets/` and `{cluster}/pki/`. A URL inside this store is a folder of the
 * same Vfs; any other is opened once with `open` and kept until {@link SeparateStores.close}.
 */
export class SeparateStores {
  readonly #opened = new Map<string, Promise<Vfs>>();

  constructor(
    private readonly vfs: Vfs,
    private readonly open: OpenStore,
  ) {}

  /** The location of `kind` for a cluster whose config is `config` (undefined: no config yet, the default). */
  async locate(cluster: string, kind: SeparateStoreKind, config: unknown): Promise<StoreLocation> {
    const configured = configuredStore(config, kind);
    if (configured === undefined)
      return kind === 'keypairs' ? defaultKeyStore(this.vfs, cluster) : defaultSecretStore(this.vfs, cluster);
    return this.locateUrl(cluster, configured.url, configured.field);
  }

  /** The location a store URL names (`field` is the config field it came from, for messages). */
  async locateUrl(cluster: string, url: string, field: string): Promise<StoreLocation> {
    try {
      const inside = prefixInside(this.vfs.url, url);
      if (inside !== undefined) return { vfs: this.vfs, prefix: inside, configured: url };
      return { vfs: await this.#open(url), prefix: '', configured: url };
    } catch (err) {
      // Say which field of the config named the store that could not be used.
      if (isStateStoreError(err))
        throw new StateStoreError(err.code, `cluster "${cluster}" ${field}: ${err.message}`, {
          cause: err,
          retryable: err.retryable,
        });
      throw err;
    }
  }

  #open(url: string): Promise<Vfs> {
    let opened = this.#opened.get(url);
    if (opened === undefined) {
      opened = this.open(url);
      this.#opened.set(url, opened);
      // A failed open is not kept: the next call tries again (credentials may have been fixed).
      opened.catch(() => this.#opened.delete(url));
    }
    return opened;
  }

  /** Closes the stores this opened. */
  async close(): Promise<void> {
    const all = [...this.#opened.values()];
    this.#opened.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (vfs) => vfs.close(),
          () => undefined,
        ),
      ),
    );
  }
}
