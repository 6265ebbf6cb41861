/**
 * The one implementation of {@link StateStore}, over a {@link Vfs}. Internal: callers get it from
 * `openStateStore()` and see only the interface, whose doc comments describe each method.
 */
import { isStateStoreError } from '../errors.js';
import type { CallOptions, Vfs } from '../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../config/schema/types.generated.js';
import { instanceGroupSchema } from '../config/schema/schemas.generated.js';
import { assertValidInstanceGroupChange } from '../config/validate/kops.js';
import type { CreateClusterOptions } from '../create-cluster/options.js';
import { openVfs } from '../backends/registry.js';
import type { ConfigChange } from './change.js';
import { readDocument, type StoredDocument } from './documents.js';
import { layout } from './layout.js';
import { mergeDocument, type MergeConfigOptions, type MergeResult } from './merge-document.js';
import { validateClusterName, validateInstanceGroupName, validateKeysetName } from './names.js';
import { assertSeparateStoresApart } from './location-overlap.js';
import { redactInspection } from '../vfs/redact.js';
import { mergeCreateClusterOptions } from './merge-create-options.js';
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
import { putKeyset } from './keys/keyset-write.js';
import { createStorePkiOperations, type StorePkiOperations } from './keys/pki-ops.js';
import { createSecretOperations, type SecretOperations } from './secret-operations.js';
import { toKeyProvider } from './encryption/envelope.js';
import type { KeyProvider } from './encryption/key-provider.js';
import type {
  CreateClusterWriteOptions,
  DocumentPutOptions,
  SecretPutOptions,
  StateStoreOptions,
} from './store-options.js';
import { DISCOVERY_FILES, discoveryStoreUrl, SeparateStores, type StoreLocation } from './locations.js';
import { deleteClusterState } from './delete-cluster.js';
import { createCluster, deleteInstanceGroup, mergeConfig, putConfig, putInstanceGroup } from './cluster-writes.js';
import { applyDocuments } from './apply/index.js';
import { createStoreHistory, type StoreHistory } from './history/index.js';
import { createStoreWatch, type StoreWatch } from './watch/index.js';
import { createStoreLeases, type StoreLeases } from './lease/index.js';
import { getKopsVersion, listClusters, listInstanceGroups } from './cluster-reads.js';
import type { DeleteClusterOptions, StateStore } from './state-store.js';
import type {
  AddSshPublicKeyResult,
  CreateKeypairResult,
  DeleteResult,
  KeypairTrustResult,
  MergeCreateClusterOptionsResult,
  DocumentWriteResult,
  PromoteKeypairResult,
  WriteResult,
} from './results.js';
import { withSkippedRules } from './skipped-rules.js';
import type { SkippedRule } from '../config/validate/kops-validation/source.js';

/** A {@link StateStore} over one {@link Vfs}. Not exported from the package: `openStateStore()` makes it. */
export class VfsStateStore implements StateStore {
  readonly #keys: KeyProvider | undefined;
  /** Reads accept plain values although the store encrypts (see StateStoreOptions.allowPlaintext). */
  readonly #allowPlaintext: boolean;
  /** The cluster's key and secret stores, and those opened outside this store. */
  readonly #separate: SeparateStores;
  // History, watch and leases each live in their own module; the store's methods delegate to them.
  readonly #history: StoreHistory;
  readonly #watch: StoreWatch;
  readonly #leases: StoreLeases;
  readonly #secrets: SecretOperations = createSecretOperations({
    secretStore: (cluster, signal) => this.#secretStore(cluster, signal),
    keys: () => this.#keys,
    allowPlaintext: () => this.#allowPlaintext,
  });
  readonly #ops = createStorePkiOperations({
    keyStore: (cluster, signal) => this.#pki(cluster, signal),
    store: this,
  });

  constructor(
    readonly vfs: Vfs,
    options: StateStoreOptions = {},
  ) {
    this.#keys = options.encryption === undefined ? undefined : toKeyProvider(options.encryption);
    this.#allowPlaintext = options.allowPlaintext ?? this.#keys === undefined;
    this.#separate = new SeparateStores(vfs, options.openStore ?? ((url) => openVfs(url)));
    this.#history = createStoreHistory(vfs, options.history);
    this.#watch = createStoreWatch(vfs);
    this.#leases = createStoreLeases(vfs);
    // Printed or serialised, a store shows its URL and whether it encrypts: no key, no credential.
    redactInspection(this, 'StateStore', () => ({ url: this.url, encrypts: this.encrypts }));
  }

  readonly history: StoreHistory['history'] = (cluster, options) => this.#history.history(cluster, options);
  readonly getVersion: StoreHistory['getVersion'] = (cluster, entry, options) =>
    this.#history.getVersion(cluster, entry, options);
  readonly diffVersions: StoreHistory['diffVersions'] = (cluster, from, to, options) =>
    this.#history.diffVersions(cluster, from, to, options);
  readonly rollback: StoreHistory['rollback'] = (cluster, entry, options) =>
    this.#history.rollback(cluster, entry, options);
  readonly watch: StoreWatch['watch'] = (cluster, options) => this.#watch.watch(cluster, options);
  readonly acquireLease: StoreLeases['acquireLease'] = (cluster, options) =>
    this.#leases.acquireLease(cluster, options);
  readonly withLease: StoreLeases['withLease'] = (cluster, fn, options) => this.#leases.withLease(cluster, fn, options);
  readonly readLease: StoreLeases['readLease'] = (cluster, options) => this.#leases.readLease(cluster, options);
  readonly exportKubeconfig: StorePkiOperations['exportKubeconfig'] = (c, o) => this.#ops.exportKubeconfig(c, o);
  readonly pkiReport: StorePkiOperations['pkiReport'] = (cluster, options) => this.#ops.pkiReport(cluster, options);
  readonly rotateKeypairs: StorePkiOperations['rotateKeypairs'] = (c, s, o) => this.#ops.rotateKeypairs(c, s, o);

  /**
   * Where the cluster's keys live (kops's key store). Resolved from the cluster's config
   * (`spec.configStore.keypairs`, `spec.keyStore`); defaults to `{cluster}/pki/`.
   */
  async #keyStore(cluster: string, signal?: AbortSignal): Promise<StoreLocation> {
    return this.#separate.locate(cluster, 'keypairs', await this.#checkedConfig(cluster, signal));
  }

  /**
   * Where the cluster's secrets live (kops's secret store). Resolved from the cluster's config
   * (`spec.configStore.secrets`, `spec.secretStore`); defaults to `{cluster}/secrets/`.
   */
  async #secretStore(cluster: string, signal?: AbortSignal): Promise<StoreLocation> {
    return this.#separate.locate(cluster, 'secrets', await this.#checkedConfig(cluster, signal));
  }

  /** The config, refused (ValidationError) when it points keys or secrets at the cluster's own documents. */
  async #checkedConfig(cluster: string, signal?: AbortSignal): Promise<unknown> {
    const config = await this.#configValue(cluster, signal);
    assertSeparateStoresApart(this.vfs.url, cluster, config);
    return config;
  }

  /**
   * The cluster's config as stored, or undefined when there is none yet (then the defaults apply).
   * Untyped, so not shape-checked (document-shape.ts): the locations read from it are checked where
   * they are read, and a cluster whose config was replaced by junk can still be deleted.
   */
  async #configValue(cluster: string, signal?: AbortSignal): Promise<unknown> {
    validateClusterName(cluster);
    return readDocument<unknown>(this.vfs, layout.config(cluster), `cluster "${cluster}"`, signal).then(
      (doc) => doc.value as unknown,
      (err: unknown) => (isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err)),
    );
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

  get encrypts(): boolean {
    return this.#keys !== undefined;
  }

  get url(): string {
    return this.vfs.url;
  }

  async listClusters(options: CallOptions = {}): Promise<string[]> {
    return listClusters(this.vfs, options.signal);
  }

  async getCluster(name: string, options: CallOptions = {}): Promise<StoredDocument<ClusterConfig>> {
    validateClusterName(name);
    return readDocument<ClusterConfig>(this.vfs, layout.config(name), `cluster "${name}"`, options.signal, 'Cluster');
  }

  async createCluster(
    name: string,
    config: ClusterConfig,
    instanceGroups: readonly InstanceGroupConfig[] = [],
    options: CreateClusterWriteOptions = {},
  ): Promise<DocumentWriteResult> {
    return createCluster(this.vfs, name, config, instanceGroups, options);
  }

  readonly apply: StateStore['apply'] = (documents, options) => applyDocuments(this.vfs, documents, options);

  async putConfig(name: string, config: ClusterConfig, options: DocumentPutOptions = {}): Promise<DocumentWriteResult> {
    return putConfig(this.vfs, name, config, options);
  }

  async mergeConfig(
    name: string,
    change: ConfigChange<ClusterConfig>,
    options: MergeConfigOptions = {},
  ): Promise<MergeResult<ClusterConfig>> {
    return mergeConfig(this.vfs, name, change, options);
  }

  async mergeCreateClusterOptions(
    cluster: string,
    options: Partial<CreateClusterOptions>,
    mergeOptions: MergeConfigOptions = {},
  ): Promise<MergeCreateClusterOptionsResult> {
    validateClusterName(cluster);
    return mergeCreateClusterOptions(this, cluster, options, mergeOptions);
  }

  async deleteCluster(name: string, options: DeleteClusterOptions = {}): Promise<DeleteResult> {
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
    const configured = separate.filter((store) => store.configured !== undefined);
    return deleteClusterState(this.vfs, name, configured, { ...options, files });
  }

  async getCompletedCluster(name: string, options: CallOptions = {}): Promise<StoredDocument<ClusterConfig>> {
    validateClusterName(name);
    // kops: pkg/model/config.go writes it at each update; `kops get cluster --full` reads it.
    const what = `completed spec of cluster "${name}" (written by kops update cluster)`;
    return readDocument<ClusterConfig>(this.vfs, layout.clusterCompleted(name), what, options.signal, 'Cluster');
  }

  async getKopsVersion(name: string, options: CallOptions = {}): Promise<string> {
    return getKopsVersion(this.vfs, name, options.signal);
  }

  async listInstanceGroups(cluster: string, options: CallOptions = {}): Promise<string[]> {
    return listInstanceGroups(this.vfs, cluster, options.signal);
  }

  async getInstanceGroup(
    cluster: string,
    name: string,
    options: CallOptions = {},
  ): Promise<StoredDocument<InstanceGroupConfig>> {
    validateClusterName(cluster);
    validateInstanceGroupName(name);
    const what = `instance group "${name}" of cluster "${cluster}"`;
    const key = layout.instanceGroup(cluster, name);
    return readDocument<InstanceGroupConfig>(this.vfs, key, what, options.signal, 'InstanceGroup');
  }

  async putInstanceGroup(
    cluster: string,
    group: InstanceGroupConfig,
    options: DocumentPutOptions = {},
  ): Promise<DocumentWriteResult> {
    return putInstanceGroup(this.vfs, cluster, group, options);
  }

  async mergeInstanceGroup(
    cluster: string,
    name: string,
    change: ConfigChange<InstanceGroupConfig>,
    options: MergeConfigOptions = {},
  ): Promise<MergeResult<InstanceGroupConfig>> {
    validateClusterName(cluster);
    validateInstanceGroupName(name);
    const key = layout.instanceGroup(cluster, name);
    // kops's rules, with the cluster's as read now, refuse only what the change adds.
    const config = await this.#configValue(cluster, options.signal);
    const skipped: SkippedRule[] = [];
    const validate = (value: InstanceGroupConfig, before: InstanceGroupConfig) => {
      skipped.length = 0; // the rules of the attempt written (a lost race re-applies the change)
      assertValidInstanceGroupChange(before, value, { cluster: config, skipped });
    };
    const what = `instance group "${name}"`;
    const result = await mergeDocument(this.vfs, key, what, change, instanceGroupSchema, validate, options);
    return withSkippedRules(result, skipped);
  }

  async deleteInstanceGroup(cluster: string, name: string, options: DocumentPutOptions = {}): Promise<void> {
    return deleteInstanceGroup(this.vfs, cluster, name, options);
  }

  async listKeysets(
    cluster: string,
    which: 'private' | 'issued' = 'private',
    options: CallOptions = {},
  ): Promise<string[]> {
    return listKeysets((await this.#pki(cluster, options.signal)).location, which, options.signal);
  }

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

  async putKeyset(cluster: string, keyset: Keyset, options: SecretPutOptions = {}): Promise<WriteResult> {
    validateKeysetName(keyset?.name);
    const context = await this.#pki(cluster, options.signal);
    const provider = options.encrypt === false ? undefined : this.#keys;
    return { version: await putKeyset(context.location, keyset, { ...options, provider }) };
  }

  async createKeypair(
    cluster: string,
    keyset: string,
    options: CreateKeypairOptions & CallOptions = {},
  ): Promise<CreateKeypairResult> {
    validateKeysetName(keyset);
    return createKeypair(await this.#pki(cluster, options.signal), keyset, options);
  }

  async promoteKeypair(
    cluster: string,
    keyset: string,
    id?: string,
    options: CallOptions = {},
  ): Promise<PromoteKeypairResult> {
    validateKeysetName(keyset);
    return promoteKeypair(await this.#pki(cluster, options.signal), keyset, id);
  }

  async distrustKeypairs(
    cluster: string,
    keyset: string,
    ids?: readonly string[],
    options: CallOptions = {},
  ): Promise<KeypairTrustResult> {
    validateKeysetName(keyset);
    return distrustKeypairs(await this.#pki(cluster, options.signal), keyset, ids);
  }

  async trustKeypairs(
    cluster: string,
    keyset: string,
    ids: readonly string[],
    options: CallOptions = {},
  ): Promise<KeypairTrustResult> {
    validateKeysetName(keyset);
    return trustKeypairs(await this.#pki(cluster, options.signal), keyset, ids);
  }

  async deleteKeypair(cluster: string, keyset: string, id: string, options: CallOptions = {}): Promise<WriteResult> {
    validateKeysetName(keyset);
    return deleteKeypair(await this.#pki(cluster, options.signal), keyset, id);
  }

  async listSshPublicKeys(cluster: string, options: CallOptions = {}): Promise<SshPublicKey[]> {
    return listSshPublicKeys((await this.#pki(cluster, options.signal)).location, options.signal);
  }

  async addSshPublicKey(cluster: string, publicKey: string, options: CallOptions = {}): Promise<AddSshPublicKeyResult> {
    const { location } = await this.#pki(cluster, options.signal);
    return addSshPublicKey(location, publicKey, { signal: options.signal });
  }

  async deleteSshPublicKeys(cluster: string, fingerprint?: string, options: CallOptions = {}): Promise<DeleteResult> {
    return deleteSshPublicKeys((await this.#pki(cluster, options.signal)).location, fingerprint, options.signal);
  }

  readonly listSecrets: SecretOperations['listSecrets'] = (cluster, options) =>
    this.#secrets.listSecrets(cluster, options);
  readonly getSecret: SecretOperations['getSecret'] = (c, name, options) => this.#secrets.getSecret(c, name, options);
  readonly putSecret: SecretOperations['putSecret'] = (c, n, data, o) => this.#secrets.putSecret(c, n, data, o);
  readonly deleteSecret: SecretOperations['deleteSecret'] = (c, n, o) => this.#secrets.deleteSecret(c, n, o);

  async close(): Promise<void> {
    await this.#separate.close();
    return this.vfs.close();
  }

  /** `await using store = await openStateStore(...)` closes the store at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
