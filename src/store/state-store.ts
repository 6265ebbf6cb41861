import { isStateStoreError, StateStoreError } from '../errors.js';
import type { CallOptions, Vfs } from '../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../config/schema/types.generated.js';
import { clusterSchema, instanceGroupSchema } from '../config/schema/schemas.generated.js';
import { assertSafeValue } from '../config/guard.js';
import {
  assertValidClusterConfig,
  assertValidInstanceGroup,
  throwIfErrors,
  validateClusterWithInstanceGroups,
} from '../config/validate/kops.js';
import type { ConfigChange } from './change.js';
import { readDocument, renderDocument, writeDocument, type StoredDocument } from './documents.js';
import { asKopsCreates, asKopsUpdates } from './kops-metadata.js';
import { layout } from './layout.js';
import { mergeDocument, type MergeOptions, type MergeResult } from './merge-document.js';
import {
  validateClusterName,
  validateClusterNameForConfig,
  validateInstanceGroupName,
  validateKeysetName,
} from './names.js';
import { mergeOptionsIntoStore, type MergeOptionsResult } from './merge-create-options.js';
import type { CreateClusterOptions } from '../create-cluster/options.js';
import { listKeysets, readKeyset, type Keyset } from './keys/keysets.js';
import { addSshPublicKey, deleteSshPublicKeys, listSshPublicKeys, type SshPublicKey } from './keys/ssh-keys.js';
import {
  createKeypair,
  deleteKeypair,
  distrustKeypairs,
  promoteKeypair,
  trustKeypairs,
  type CreateKeypairOptions,
  type KeyStoreContext,
} from './keys/keypairs.js';
import { deleteSecret, listSecrets, readSecret, validateSecretName, writeSecret } from './secrets.js';
import { toKeyProvider } from './encryption/envelope.js';
import type { PutOptions, SecretPutOptions, StateStoreOptions } from './store-options.js';
import type { KeyProvider } from './encryption/key-provider.js';
import { putKeyset } from './keys/keyset-write.js';
import { DISCOVERY_FILES, discoveryStoreUrl, SeparateStores, type StoreLocation } from './locations.js';
import { deleteClusterState } from './delete-cluster.js';
import { openVfs } from '../backends/registry.js';

export type { PutOptions, SecretPutOptions, StateStoreOptions } from './store-options.js';

/**
 * A kops state store: clusters, their `config`, instance groups, keysets, SSH keys and secrets,
 * over any {@link Vfs}. Obtain one with `openStateStore()`.
 *
 * @example
 * ```ts
 * const store = await openStateStore('s3://my-state-store');
 * const { value, version } = await store.getCluster('prod.example.com');
 * await store.mergeConfig('prod.example.com', { spec: { kubernetesVersion: '1.30.0' } });
 * ```
 */
export class StateStore {
  readonly #keys: KeyProvider | undefined;
  /** Reads accept plain values although the store encrypts (see StateStoreOptions.allowPlaintext). */
  readonly #allowPlaintext: boolean;
  /** The cluster's key and secret stores, and those opened outside this store. */
  readonly #separate: SeparateStores;

  constructor(
    readonly vfs: Vfs,
    options: StateStoreOptions = {},
  ) {
    this.#keys = options.encryption === undefined ? undefined : toKeyProvider(options.encryption);
    this.#allowPlaintext = options.allowPlaintext ?? this.#keys === undefined;
    this.#separate = new SeparateStores(vfs, options.openStore ?? ((url) => openVfs(url)));
  }

  /**
   * Where the cluster's keys live (kops's key store). Resolved from the cluster's config
   * (`spec.configStore.keypairs`, `spec.keyStore`); defaults to `{cluster}/pki/`.
   */
  async #keyStore(cluster: string, signal?: AbortSignal): Promise<StoreLocation> {
    return this.#separate.locate(cluster, 'keypairs', await this.#configValue(cluster, signal));
  }

  /**
   * Where the cluster's secrets live (kops's secret store). Resolved from the cluster's config
   * (`spec.configStore.secrets`, `spec.secretStore`); defaults to `{cluster}/secrets/`.
   */
  async #secretStore(cluster: string, signal?: AbortSignal): Promise<StoreLocation> {
    return this.#separate.locate(cluster, 'secrets', await this.#configValue(cluster, signal));
  }

  /** The cluster's config as stored, or undefined when there is none yet (then the defaults apply). */
  async #configValue(cluster: string, signal?: AbortSignal): Promise<unknown> {
    return this.getCluster(cluster, { signal }).then(
      (doc) => doc.value as unknown,
      (err: unknown) => (isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err)),
    );
  }

  /** True when this store encrypts secrets and private keys it writes. */
  get encrypts(): boolean {
    return this.#keys !== undefined;
  }

  /** The store's URL (no credentials). */
  get url(): string {
    return this.vfs.url;
  }

  /** Cluster names: the top-level folders that hold a `config`. One delimiter listing, no bucket walk. */
  async listClusters(options: CallOptions = {}): Promise<string[]> {
    const prefixes: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.vfs.list({ delimiter: '/', pageToken, signal: options.signal });
      prefixes.push(...page.prefixes.map((prefix) => prefix.slice(0, -1)));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    const present = await Promise.all(
      prefixes.map((name) =>
        this.vfs.stat(layout.config(name), { signal: options.signal }).then(
          () => true,
          (err: unknown) => {
            if (isStateStoreError(err, 'NotFound') || isStateStoreError(err, 'InvalidArgument')) return false;
            throw err;
          },
        ),
      ),
    );
    return prefixes.filter((_, i) => present[i]);
  }

  /** The cluster's `config`, typed, with its version and exact text. */
  async getCluster(name: string, options: CallOptions = {}): Promise<StoredDocument<ClusterConfig>> {
    validateClusterName(name);
    return readDocument<ClusterConfig>(this.vfs, layout.config(name), `cluster "${name}"`, options.signal);
  }

  /**
   * Creates a cluster. The `config` is written first with create-if-absent, so of two racing
   * creators exactly one wins and the loser writes nothing (kops also writes the cluster before its
   * instance groups); then the instance groups. Everything is validated before anything is written.
   */
  async createCluster(
    name: string,
    config: ClusterConfig,
    instanceGroups: readonly InstanceGroupConfig[] = [],
    options: CallOptions = {},
  ): Promise<{ version: string }> {
    validateClusterName(name);
    assertSafeValue(config);
    assertValidClusterConfig(config);
    validateClusterNameForConfig(name, config);
    for (const group of instanceGroups) {
      assertSafeValue(group);
      assertValidInstanceGroup(group);
      validateInstanceGroupName(group.metadata?.name);
    }
    throwIfErrors(validateClusterWithInstanceGroups(config, instanceGroups), 'Cluster');
    // kops's create sets metadata.creationTimestamp when unset (kops: vfsclientset/commonvfs.go).
    // Every text is rendered (and size-checked) before the first write: nothing is written on a refusal.
    const now = new Date();
    const groupTexts = instanceGroups.map((group) => renderDocument(asKopsCreates(group, now), undefined));
    const { version } = await writeDocument(this.vfs, layout.config(name), asKopsCreates(config, now), undefined, {
      ifNoneMatch: '*',
      signal: options.signal,
    }).catch((err: unknown) => {
      if (isStateStoreError(err, 'AlreadyExists'))
        throw new StateStoreError('AlreadyExists', `cluster "${name}" already exists`, {
          key: layout.config(name),
          cause: err,
        });
      throw err;
    });
    for (const [index, group] of instanceGroups.entries()) {
      await writeDocument(
        this.vfs,
        layout.instanceGroup(name, group.metadata!.name!),
        group,
        undefined,
        { signal: options.signal },
        groupTexts[index],
      );
    }
    return { version };
  }

  /**
   * Replaces the cluster's `config`, validated, keeping the stored YAML's comments and layout.
   * With `ifMatch`, only if nobody changed it since that version (else PreconditionFailed).
   */
  async putConfig(name: string, config: ClusterConfig, options: PutOptions = {}): Promise<{ version: string }> {
    validateClusterName(name);
    assertSafeValue(config);
    assertValidClusterConfig(config);
    const previous = await this.getCluster(name, options).catch((err: unknown) =>
      isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err),
    );
    const ifMatch = options.ifMatch ?? previous?.version;
    const write = ifMatch === undefined ? { ifNoneMatch: '*' as const } : { ifMatch };
    if (options.ifMatch !== undefined && previous !== undefined && previous.version !== options.ifMatch) {
      throw new StateStoreError('PreconditionFailed', `cluster "${name}" changed since version ${options.ifMatch}`, {
        key: layout.config(name),
      });
    }
    const base = previous !== undefined && previous.version === ifMatch ? previous : undefined;
    // As kops's clientset: an update bumps generation when the spec changed, a create sets creationTimestamp.
    const written =
      base !== undefined ? asKopsUpdates(base.value, config) : previous === undefined ? asKopsCreates(config) : config;
    const { version } = await writeDocument(this.vfs, layout.config(name), written, base, {
      ...write,
      signal: options.signal,
    });
    return { version };
  }

  /**
   * Merges a change into the cluster's `config` with optimistic concurrency: read with its version,
   * apply, validate, write with `ifMatch`; on a lost race re-read and re-apply (bounded, jittered).
   * Safe when many writers race; one read and one write when they do not.
   */
  async mergeConfig(
    name: string,
    change: ConfigChange<ClusterConfig>,
    options: MergeOptions = {},
  ): Promise<MergeResult<ClusterConfig>> {
    validateClusterName(name);
    return mergeDocument<ClusterConfig>(
      this.vfs,
      layout.config(name),
      `cluster "${name}"`,
      change,
      clusterSchema,
      (value) => assertValidClusterConfig(value),
      options,
    );
  }

  /**
   * Merges `kops create cluster` options into an existing cluster and its instance groups
   * (`nodeSize` sets the node groups' machine type, a new zone adds its subnet and group ...),
   * changing only what the options name, through the same optimistic path as `mergeConfig`.
   */
  async mergeOptions(
    cluster: string,
    options: Partial<CreateClusterOptions>,
    mergeOptions: MergeOptions = {},
  ): Promise<MergeOptionsResult> {
    validateClusterName(cluster);
    return mergeOptionsIntoStore(this, cluster, options, mergeOptions);
  }

  /**
   * Deletes a cluster as kops does (`kops delete cluster`): the OIDC documents in its discovery
   * store (`spec.serviceAccountIssuerDiscovery.discoveryStore`), its separate secret and key stores
   * (when the config names them: `spec.secretStore`, `spec.keyStore`, `spec.configStore.*`)
   * entirely, then `config`, then every other file of its folder. Refuses (PreconditionFailed)
   * unknown files in the folder unless `force`, and a separate store that would hold this whole
   * store or another cluster's folder. Nothing is deleted when a check fails.
   */
  async deleteCluster(name: string, options: CallOptions & { force?: boolean } = {}): Promise<{ deleted: number }> {
    validateClusterName(name);
    const config = await this.#configValue(name, options.signal);
    const separate =
      config === undefined
        ? []
        : await Promise.all([
            this.#separate.locate(name, 'secrets', config),
            this.#separate.locate(name, 'keypairs', config),
          ]);
    const discovery = discoveryStoreUrl(config);
    const oidc =
      discovery === undefined
        ? undefined
        : await this.#separate.locateUrl(name, discovery, 'spec.serviceAccountIssuerDiscovery.discoveryStore');
    const files = oidc === undefined ? [] : DISCOVERY_FILES.map((file) => ({ vfs: oidc.vfs, key: oidc.prefix + file }));
    return deleteClusterState(
      this.vfs,
      name,
      separate.filter((store) => store.configured !== undefined),
      { ...options, files },
    );
  }

  /**
   * The completed cluster spec kops wrote at its last `kops update cluster`
   * (`{cluster}/cluster-completed.spec`, kops: pkg/model/config.go, read by `kops get cluster --full`):
   * every default filled in. Read only: kops rewrites it on each update.
   */
  async getCompletedCluster(name: string, options: CallOptions = {}): Promise<StoredDocument<ClusterConfig>> {
    validateClusterName(name);
    return readDocument<ClusterConfig>(
      this.vfs,
      layout.clusterCompleted(name),
      `completed spec of cluster "${name}" (written by kops update cluster)`,
      options.signal,
    );
  }

  /**
   * The version of kops that last updated the cluster (`{cluster}/kops-version.txt`, kops:
   * pkg/model/config.go writes the bare version, cmd/kops/version.go reads it), surrounding
   * whitespace removed. NotFound when kops never updated the cluster.
   */
  async getKopsVersion(name: string, options: CallOptions = {}): Promise<string> {
    validateClusterName(name);
    const key = layout.kopsVersion(name);
    const read = await this.vfs.read(key, { signal: options.signal }).catch((err: unknown) => {
      if (isStateStoreError(err, 'NotFound'))
        throw new StateStoreError(
          'NotFound',
          `cluster "${name}" has no kops-version.txt (kops update cluster writes it)`,
          { key, cause: err },
        );
      throw err;
    });
    return Buffer.from(read.body).toString('utf8').trim();
  }

  /** Instance group names of a cluster. NotFound when the cluster (its `config`) does not exist. */
  async listInstanceGroups(cluster: string, options: CallOptions = {}): Promise<string[]> {
    validateClusterName(cluster);
    // A typo in the cluster name is NotFound, not "no instance groups" (issue #14.9).
    await this.vfs.stat(layout.config(cluster), { signal: options.signal }).catch((err: unknown) => {
      throw isStateStoreError(err, 'NotFound')
        ? new StateStoreError('NotFound', `cluster "${cluster}" not found`, { key: layout.config(cluster), cause: err })
        : err;
    });
    const prefix = layout.instanceGroups(cluster);
    const names: string[] = [];
    for await (const info of this.vfs.listAll({ prefix, signal: options.signal }))
      names.push(info.key.slice(prefix.length));
    return names;
  }

  async getInstanceGroup(
    cluster: string,
    name: string,
    options: CallOptions = {},
  ): Promise<StoredDocument<InstanceGroupConfig>> {
    validateClusterName(cluster);
    validateInstanceGroupName(name);
    return readDocument<InstanceGroupConfig>(
      this.vfs,
      layout.instanceGroup(cluster, name),
      `instance group "${name}" of cluster "${cluster}"`,
      options.signal,
    );
  }

  /** Writes an instance group (named by `metadata.name`), validated, comments kept when it exists. */
  async putInstanceGroup(
    cluster: string,
    group: InstanceGroupConfig,
    options: PutOptions = {},
  ): Promise<{ version: string }> {
    validateClusterName(cluster);
    const name = group.metadata?.name;
    validateInstanceGroupName(name);
    assertSafeValue(group);
    assertValidInstanceGroup(group);
    const previous = await this.getInstanceGroup(cluster, name, options).catch((err: unknown) =>
      isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err),
    );
    const ifMatch = options.ifMatch ?? previous?.version;
    const { version } = await writeDocument(
      this.vfs,
      layout.instanceGroup(cluster, name),
      previous !== undefined ? asKopsUpdates(previous.value, group) : asKopsCreates(group),
      previous,
      { ...(ifMatch === undefined ? { ifNoneMatch: '*' as const } : { ifMatch }), signal: options.signal },
    );
    return { version };
  }

  /** Merges a change into an instance group, like {@link StateStore.mergeConfig}. */
  async mergeInstanceGroup(
    cluster: string,
    name: string,
    change: ConfigChange<InstanceGroupConfig>,
    options: MergeOptions = {},
  ): Promise<MergeResult<InstanceGroupConfig>> {
    validateClusterName(cluster);
    validateInstanceGroupName(name);
    return mergeDocument<InstanceGroupConfig>(
      this.vfs,
      layout.instanceGroup(cluster, name),
      `instance group "${name}"`,
      change,
      instanceGroupSchema,
      (value) => assertValidInstanceGroup(value),
      options,
    );
  }

  async deleteInstanceGroup(cluster: string, name: string, options: PutOptions = {}): Promise<void> {
    validateClusterName(cluster);
    validateInstanceGroupName(name);
    await this.vfs.delete(layout.instanceGroup(cluster, name), options);
  }

  /** The key store (see #keyStore) with this store's sealing key, for the pki functions. */
  async #pki(cluster: string, signal?: AbortSignal): Promise<KeyStoreContext> {
    validateClusterName(cluster);
    return {
      location: await this.#keyStore(cluster, signal),
      provider: this.#keys,
      allowPlaintext: this.#allowPlaintext,
      signal,
    };
  }

  /** Keyset names (`pki/private/` by default, or the legacy `pki/issued/`). */
  async listKeysets(
    cluster: string,
    which: 'private' | 'issued' = 'private',
    options: CallOptions = {},
  ): Promise<string[]> {
    return listKeysets((await this.#pki(cluster, options.signal)).location, which, options.signal);
  }

  /**
   * A keyset as kops reads it: `primaryId` is the key kops signs with, materials are checked as
   * PEM. In an encrypting store a plain private key is IntegrityError unless `allowPlaintext`.
   */
  async getKeyset(
    cluster: string,
    name: string,
    which: 'private' | 'issued' = 'private',
    options: CallOptions = {},
  ): Promise<Keyset> {
    validateKeysetName(name);
    const context = await this.#pki(cluster, options.signal);
    return readKeyset(context.location, name, which, context);
  }

  /**
   * Writes a keyset to `pki/private/<name>/keyset.yaml` in kops's format (ids decimal, materials
   * PEM, the primary trusted with a certificate and a private key; InvalidArgument otherwise).
   * Private keys are sealed when the store encrypts. Default: create only; when replacing, the
   * stored file's unknown fields are kept.
   */
  async putKeyset(cluster: string, keyset: Keyset, options: SecretPutOptions = {}): Promise<string> {
    validateKeysetName(keyset?.name);
    const context = await this.#pki(cluster, options.signal);
    return putKeyset(context.location, keyset, {
      ...options,
      provider: options.encrypt === false ? undefined : this.#keys,
    });
  }

  /** Adds a keypair to a keyset as `kops create keypair` does (a new CA unless given one; not primary unless asked). */
  async createKeypair(
    cluster: string,
    keyset: string,
    options: CreateKeypairOptions & CallOptions = {},
  ): Promise<{ id: string }> {
    validateKeysetName(keyset);
    return createKeypair(await this.#pki(cluster, options.signal), keyset, options);
  }

  /** Makes a keypair primary as `kops promote keypair` does (without `id`: the newest usable one). */
  async promoteKeypair(
    cluster: string,
    keyset: string,
    id?: string,
    options: CallOptions = {},
  ): Promise<{ id: string; promoted: boolean }> {
    validateKeysetName(keyset);
    return promoteKeypair(await this.#pki(cluster, options.signal), keyset, id);
  }

  /** Distrusts keypairs as `kops distrust keypair` does (without ids: those older than the primary). Returns the ids distrusted. */
  async distrustKeypairs(
    cluster: string,
    keyset: string,
    ids?: readonly string[],
    options: CallOptions = {},
  ): Promise<string[]> {
    validateKeysetName(keyset);
    return distrustKeypairs(await this.#pki(cluster, options.signal), keyset, ids);
  }

  /** Trusts distrusted keypairs again as `kops trust keypair` does. Returns the ids changed. */
  async trustKeypairs(
    cluster: string,
    keyset: string,
    ids: readonly string[],
    options: CallOptions = {},
  ): Promise<string[]> {
    validateKeysetName(keyset);
    return trustKeypairs(await this.#pki(cluster, options.signal), keyset, ids);
  }

  /** Removes a non-primary keypair from its keyset (kops before 1.22; current kops distrusts instead). */
  async deleteKeypair(cluster: string, keyset: string, id: string, options: CallOptions = {}): Promise<void> {
    validateKeysetName(keyset);
    return deleteKeypair(await this.#pki(cluster, options.signal), keyset, id);
  }

  async listSshPublicKeys(cluster: string, options: CallOptions = {}): Promise<SshPublicKey[]> {
    return listSshPublicKeys((await this.#pki(cluster, options.signal)).location, options.signal);
  }

  /** Adds an admin SSH public key under kops's fingerprint name (`kops create sshpublickey`); returns the fingerprint. */
  async addSshPublicKey(cluster: string, publicKey: string, options: CallOptions = {}): Promise<string> {
    return addSshPublicKey((await this.#pki(cluster, options.signal)).location, publicKey, { signal: options.signal });
  }

  /** Deletes the admin SSH public keys (all, as `kops delete sshpublickey`, or the one `fingerprint` names). */
  async deleteSshPublicKeys(cluster: string, fingerprint?: string, options: CallOptions = {}): Promise<number> {
    return deleteSshPublicKeys((await this.#pki(cluster, options.signal)).location, fingerprint, options.signal);
  }

  async listSecrets(cluster: string, options: CallOptions = {}): Promise<string[]> {
    validateClusterName(cluster);
    return listSecrets(await this.#secretStore(cluster, options.signal), options.signal);
  }

  async getSecret(cluster: string, name: string, options: CallOptions = {}): Promise<Uint8Array> {
    validateClusterName(cluster);
    validateSecretName(name);
    return readSecret(await this.#secretStore(cluster, options.signal), name, {
      signal: options.signal,
      provider: this.#keys,
      allowPlaintext: this.#allowPlaintext,
    });
  }

  /**
   * Writes a secret in kops's format; by default only if it does not exist yet. Sealed when the
   * store encrypts (then kops cannot read it).
   */
  async putSecret(
    cluster: string,
    name: string,
    data: Uint8Array | string,
    options: SecretPutOptions = {},
  ): Promise<string> {
    validateClusterName(cluster);
    validateSecretName(name);
    return writeSecret(
      await this.#secretStore(cluster, options.signal),
      name,
      data,
      { ...conditionOf(options), signal: options.signal },
      options.encrypt === false ? undefined : this.#keys,
    );
  }

  /** Deletes a secret (`kops delete secret NAME`); deleting a missing one succeeds, as on kops's object stores. */
  async deleteSecret(cluster: string, name: string, options: PutOptions = {}): Promise<void> {
    validateClusterName(cluster);
    validateSecretName(name);
    await deleteSecret(await this.#secretStore(cluster, options.signal), name, options);
  }

  /** Releases the backend's connections. */
  async close(): Promise<void> {
    await this.#separate.close();
    return this.vfs.close();
  }
}

function conditionOf(options: SecretPutOptions): { ifMatch: string } | { ifNoneMatch: '*' } | Record<string, never> {
  return options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : options.overwrite ? {} : { ifNoneMatch: '*' };
}
