import type { CallOptions, Vfs } from '../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../config/schema/types.generated.js';
import type { CreateClusterOptions } from '../create-cluster/options.js';
import type { ConfigChange } from './change.js';
import type { StoredDocument } from './documents.js';
import type { MergeConfigOptions, MergeResult } from './merge-document.js';
import type { Keyset } from './keys/keysets.js';
import type { SshPublicKey } from './keys/ssh-keys.js';
import type { CreateKeypairOptions } from './keys/keypairs.js';
import type { CreateClusterWriteOptions, DocumentPutOptions, PutOptions, SecretPutOptions } from './store-options.js';
import type { StoreHistory } from './history/types.js';
import type { StoreWatch } from './watch/types.js';
import type { StoreLeases } from './lease/types.js';
import type { StorePkiOperations } from './keys/pki-ops.js';
import type { ApplyDocument, ApplyOptions, ApplyResult } from './apply/types.js';
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

/** Options of {@link StateStore.deleteCluster}. */
export interface DeleteClusterOptions extends CallOptions {
  /** Also delete files of the cluster's folder that kops does not write (default false: PreconditionFailed). */
  force?: boolean;
}

/**
 * A kops state store: clusters, their `config`, instance groups, keysets, SSH keys and secrets,
 * over any {@link Vfs}, in kops's own files and bytes. Get one with `openStateStore()`.
 *
 * Every method validates its names first (clusters and instance groups as DNS-1123 subdomains,
 * keysets and secrets as one path segment) and refuses with InvalidArgument before any I/O. Every
 * failure is a `StateStoreError` with a `code`. Writes are conditional: a create writes only if
 * nothing is there (AlreadyExists otherwise), a replace only if the stored version is the one read
 * or the `ifMatch` given (PreconditionFailed otherwise), so concurrent writers never silently
 * overwrite each other. Write methods resolve to objects (see `WriteResult`).
 *
 * A store must be closed with {@link StateStore.close} when done: it holds the backend's
 * connections, and those of any separate key or secret store a cluster's config names.
 *
 * @example
 * ```ts
 * import { openStateStore } from 'kops-statestore';
 *
 * const store = await openStateStore('s3://my-state-store');
 * const { value, version } = await store.getCluster('prod.example.com');
 * await store.mergeConfig('prod.example.com', { spec: { kubernetesVersion: '1.30.0' } });
 * await store.close();
 * ```
 */
export interface StateStore extends StoreHistory, StoreWatch, StoreLeases, StorePkiOperations, AsyncDisposable {
  /**
   * The storage the store reads and writes, for what the store has no method for: copying raw
   * files (the CLI's `export`), listing a cluster's folder, or passing the same connection to
   * `moveStateStore({ from: store })`. Writes made through it bypass every check of the store.
   */
  readonly vfs: Vfs;

  /** True when this store encrypts the secrets and private keys it writes (`encryption` was given). */
  readonly encrypts: boolean;

  /** The store's URL, without credentials (as `Vfs.url`). */
  readonly url: string;

  /** Cluster names: the top-level folders that hold a `config`, in key order. One delimiter listing, no bucket walk. */
  listClusters(options?: CallOptions): Promise<string[]>;

  /** The cluster's `config`, typed, with its version and exact text. NotFound when there is none. */
  getCluster(name: string, options?: CallOptions): Promise<StoredDocument<ClusterConfig>>;

  /**
   * Creates a cluster: its `config` and its instance groups, as `kops create cluster` writes them
   * (`metadata.creationTimestamp` set when unset). Everything is validated, and every text
   * rendered, before anything is written. The `config` is written first with create-if-absent, so
   * of two racing creators exactly one wins and the loser writes nothing (AlreadyExists); then the
   * instance groups. Resolves to the version of the `config` written. With `cloudFacts`, kops's
   * rules on machine types and images (aws.go) run too.
   */
  createCluster(
    name: string,
    config: ClusterConfig,
    instanceGroups?: readonly InstanceGroupConfig[],
    options?: CreateClusterWriteOptions,
  ): Promise<DocumentWriteResult>;

  /**
   * Makes a cluster's documents its desired state, declaratively (`kubectl apply` for kops; see
   * docs/gitops.md): exactly one `Cluster` and any of its `InstanceGroup`s. A missing cluster is
   * created as {@link StateStore.createCluster} creates one, `spec.configBase` set as kops's
   * `create cluster` sets it when omitted. An existing one gets only its changed documents
   * written, each a compare-and-swap against the version read (PreconditionFailed when someone
   * changed it meanwhile); documents are compared as kops's YAML renders them, and the metadata
   * kops keeps (`generation`, `creationTimestamp`) and an omitted `configBase` stay as stored.
   * With `prune`, instance groups the documents do not name are deleted (never the cluster, its
   * keys or secrets). Everything is validated together, as one cluster with its groups, before
   * anything is written: a failure writes nothing. Order: instance groups created or updated,
   * then pruned, then the `config`, each recorded in the history; a process that dies midway is
   * finished by running the same apply again. Nothing is written when nothing changed or `dryRun`.
   */
  apply(documents: readonly ApplyDocument[], options?: ApplyOptions): Promise<ApplyResult>;

  /**
   * Replaces the cluster's `config`, validated, keeping the stored YAML's comments and layout; as
   * kops's update, a changed spec bumps `metadata.generation`. Creates it when there is none. With
   * `ifMatch`, only if nobody changed it since that version (else PreconditionFailed); without,
   * only if nobody changed it since this call read it.
   */
  putConfig(name: string, config: ClusterConfig, options?: DocumentPutOptions): Promise<DocumentWriteResult>;

  /**
   * Merges a change into the cluster's `config` with optimistic concurrency: read with its version,
   * apply, validate, write with `ifMatch`; on a lost race re-read and re-apply (bounded, jittered).
   * Safe when many writers race; one read and one write when they do not. Nothing is written when
   * the change fails, the result is invalid, nothing changed, or `dryRun` is set.
   */
  mergeConfig(
    name: string,
    change: ConfigChange<ClusterConfig>,
    options?: MergeConfigOptions,
  ): Promise<MergeResult<ClusterConfig>>;

  /**
   * Merges `kops create cluster` options into an existing cluster and its instance groups
   * (`nodeSize` sets the node groups' machine type, a new zone adds its subnet and group ...),
   * changing only what the options name, as kops documents repeated runs. The `config` goes
   * through the same optimistic path as `mergeConfig`; changed groups are merged, new ones created.
   */
  mergeCreateClusterOptions(
    cluster: string,
    options: Partial<CreateClusterOptions>,
    mergeOptions?: MergeConfigOptions,
  ): Promise<MergeCreateClusterOptionsResult>;

  /**
   * Deletes a cluster as `kops delete cluster` does: the OIDC documents in its discovery store
   * (`spec.serviceAccountIssuerDiscovery.discoveryStore`), its separate secret and key stores
   * (when the config names them: `spec.secretStore`, `spec.keyStore`, `spec.configStore.*`)
   * entirely, then `config`, then every other file of its folder. Refuses (PreconditionFailed)
   * unknown files in the folder unless `force`, and a separate store that would hold this whole
   * store or another cluster's folder. Nothing is deleted when a check fails.
   */
  deleteCluster(name: string, options?: DeleteClusterOptions): Promise<DeleteResult>;

  /**
   * The completed cluster spec kops wrote at its last `kops update cluster`
   * (`{cluster}/cluster-completed.spec`, read by `kops get cluster --full`): every default filled
   * in. Read only: kops rewrites it on each update. NotFound when kops never updated the cluster.
   */
  getCompletedCluster(name: string, options?: CallOptions): Promise<StoredDocument<ClusterConfig>>;

  /**
   * The version of kops that last updated the cluster (`{cluster}/kops-version.txt`), surrounding
   * whitespace removed. NotFound when kops never updated the cluster.
   */
  getKopsVersion(name: string, options?: CallOptions): Promise<string>;

  /** Instance group names of a cluster, in key order. NotFound when the cluster (its `config`) does not exist. */
  listInstanceGroups(cluster: string, options?: CallOptions): Promise<string[]>;

  /** An instance group (`{cluster}/instancegroup/{name}`), typed, with its version and exact text. */
  getInstanceGroup(cluster: string, name: string, options?: CallOptions): Promise<StoredDocument<InstanceGroupConfig>>;

  /**
   * Writes an instance group named by its `metadata.name`, validated; an existing one keeps its
   * comments and layout and is replaced only if unchanged since it was read (or since `ifMatch`).
   */
  putInstanceGroup(
    cluster: string,
    group: InstanceGroupConfig,
    options?: DocumentPutOptions,
  ): Promise<DocumentWriteResult>;

  /** Merges a change into an instance group, as {@link StateStore.mergeConfig} does into the `config`. */
  mergeInstanceGroup(
    cluster: string,
    name: string,
    change: ConfigChange<InstanceGroupConfig>,
    options?: MergeConfigOptions,
  ): Promise<MergeResult<InstanceGroupConfig>>;

  /** Deletes an instance group; deleting a missing one succeeds. With `ifMatch`, only that version. */
  deleteInstanceGroup(cluster: string, name: string, options?: DocumentPutOptions): Promise<void>;

  /**
   * Keyset names in the cluster's key store: `pki/private/` (with private keys, the default) or
   * the legacy `pki/issued/` (certificates only).
   */
  listKeysets(cluster: string, which?: 'private' | 'issued', options?: CallOptions): Promise<string[]>;

  /**
   * A keyset as kops reads it: `primaryId` is the key kops signs with, materials are checked as
   * PEM. In an encrypting store a plain private key is IntegrityError unless `allowPlaintext`.
   */
  getKeyset(cluster: string, name: string, which?: 'private' | 'issued', options?: CallOptions): Promise<Keyset>;

  /**
   * Writes a keyset to `pki/private/<name>/keyset.yaml` in kops's format (ids decimal, materials
   * PEM, the primary trusted with a certificate and a private key; InvalidArgument otherwise).
   * Private keys are sealed when the store encrypts. Default: create only; when replacing
   * (`overwrite` or `ifMatch`), the stored file's unknown fields are kept.
   */
  putKeyset(cluster: string, keyset: Keyset, options?: SecretPutOptions): Promise<WriteResult>;

  /**
   * Adds a keypair to a keyset as `kops create keypair` does: a new self-signed CA unless given a
   * certificate; not primary unless asked (the first keypair of a keyset must be). Only
   * `service-account` and keysets whose name holds `-ca`, as kops allows.
   */
  createKeypair(
    cluster: string,
    keyset: string,
    options?: CreateKeypairOptions & CallOptions,
  ): Promise<CreateKeypairResult>;

  /** Makes a keypair primary as `kops promote keypair` does (without `id`: the newest usable one). */
  promoteKeypair(cluster: string, keyset: string, id?: string, options?: CallOptions): Promise<PromoteKeypairResult>;

  /**
   * Distrusts keypairs as `kops distrust keypair` does (without ids: those whose certificate is
   * older than the primary's). The primary cannot be distrusted. All ids are checked first and the
   * keyset written once.
   */
  distrustKeypairs(
    cluster: string,
    keyset: string,
    ids?: readonly string[],
    options?: CallOptions,
  ): Promise<KeypairTrustResult>;

  /** Trusts distrusted keypairs again as `kops trust keypair` does. */
  trustKeypairs(
    cluster: string,
    keyset: string,
    ids: readonly string[],
    options?: CallOptions,
  ): Promise<KeypairTrustResult>;

  /**
   * Removes a non-primary keypair from its keyset, as `kops delete keypair` did before kops 1.22
   * (current kops distrusts instead: prefer {@link StateStore.distrustKeypairs}). Rewrites the keyset file.
   */
  deleteKeypair(cluster: string, keyset: string, id: string, options?: CallOptions): Promise<WriteResult>;

  /** The admin SSH public keys kops keeps for the cluster (`ssh/public/admin/<fingerprint>` in its key store). */
  listSshPublicKeys(cluster: string, options?: CallOptions): Promise<SshPublicKey[]>;

  /** Adds an admin SSH public key (authorized_keys form) under kops's fingerprint name, as `kops create sshpublickey`. */
  addSshPublicKey(cluster: string, publicKey: string, options?: CallOptions): Promise<AddSshPublicKeyResult>;

  /**
   * Deletes the admin SSH public keys: all, as `kops delete sshpublickey`, or only the one
   * `fingerprint` names (colons allowed; NotFound when absent).
   */
  deleteSshPublicKeys(cluster: string, fingerprint?: string, options?: CallOptions): Promise<DeleteResult>;

  /** Secret names in the cluster's secret store (`{cluster}/secrets/` unless the config names another). */
  listSecrets(cluster: string, options?: CallOptions): Promise<string[]>;

  /**
   * A secret's bytes (kops's `{"Data": base64}` decoded, or an envelope opened). In an encrypting
   * store a plain secret is IntegrityError unless `allowPlaintext`.
   */
  getSecret(cluster: string, name: string, options?: CallOptions): Promise<Uint8Array>;

  /**
   * Writes a secret in kops's format (a string is written as its UTF-8 bytes); by default only if
   * it does not exist yet (AlreadyExists), `overwrite` to replace. Sealed when the store encrypts
   * (then kops cannot read it) unless `encrypt: false`.
   */
  putSecret(cluster: string, name: string, data: Uint8Array | string, options?: SecretPutOptions): Promise<WriteResult>;

  /** Deletes a secret (`kops delete secret NAME`); deleting a missing one succeeds, as on kops's object stores. */
  deleteSecret(cluster: string, name: string, options?: PutOptions): Promise<void>;

  /** Releases the backend's connections and those of the separate stores it opened. The store is unusable after. */
  close(): Promise<void>;
}
