import type { CallOptions } from '../../vfs/types.js';
import { validateKeysetName, validateRotatableKeysetName } from '../names.js';
import type { KeyStoreContext } from './keypairs.js';
import { listKeysets, readKeyset } from './keysets.js';
import { buildKubeconfig, type ClusterKubeconfig, type ExportKubeconfigOptions } from './kubeconfig.js';
import { keysetReport, type PkiReport } from './pki-report.js';
import { rotatableKeysets, rotateKeysets, type RotationStep, type RotationStepResult } from './rotation.js';

/**
 * The store's operator tasks over a cluster's keys (admin kubeconfig, expiry report, rotation
 * steps), in one module the store delegates to, as it does for history, watch and leases.
 */

/** Options of `StateStore.rotateKeypairs`. */
export interface RotateKeypairsOptions extends CallOptions {
  /** One keyset, or `all` (the default): every rotatable keyset, as kops's `all`. */
  keyset?: string;
}

/** The operator methods of a `StateStore`. */
export interface StorePkiOperations {
  /**
   * The kubeconfig entries `kops export kubeconfig` writes for the cluster (server, TLS server name,
   * CA bundle, user and context names), with an admin client certificate issued by the cluster's
   * `kubernetes-ca` when `admin` is set. The CA's private key is only used to sign.
   */
  exportKubeconfig(cluster: string, options?: ExportKubeconfigOptions & CallOptions): Promise<ClusterKubeconfig>;
  /** Every keyset's keys with their validity and days left, and where each stands in kops's rotation. */
  pkiReport(cluster: string, options?: CallOptions & { now?: Date }): Promise<PkiReport>;
  /** One step of kops's rotation procedure; refused out of order (PreconditionFailed naming the next step). */
  rotateKeypairs(cluster: string, step: RotationStep, options?: RotateKeypairsOptions): Promise<RotationStepResult[]>;
}

/** What the module needs from the store. */
export interface PkiOperationsHost {
  /** The cluster's key store, with the store's sealing key (validates the cluster's name). */
  keyStore(cluster: string, signal?: AbortSignal): Promise<KeyStoreContext>;
  /** The store: its URL (kops's `--state` for the auth plugin) and the cluster's config (NotFound when there is no cluster). */
  store: { readonly url: string; getCluster(name: string, options: CallOptions): Promise<{ value: unknown }> };
}

export function createStorePkiOperations(host: PkiOperationsHost): StorePkiOperations {
  return {
    async exportKubeconfig(cluster, options = {}) {
      const { value } = await host.store.getCluster(cluster, { signal: options.signal });
      const context = await host.keyStore(cluster, options.signal);
      const readCa = () => readKeyset(context.location, 'kubernetes-ca', 'private', context);
      return buildKubeconfig(cluster, value, readCa, { ...options, storeUrl: host.store.url });
    },
    async pkiReport(cluster, options = {}) {
      const context = await host.keyStore(cluster, options.signal);
      const now = options.now ?? new Date();
      const names = (await listKeysets(context.location, 'private', options.signal)).sort();
      const keysets = await Promise.all(names.map((name) => readKeyset(context.location, name, 'private', context)));
      return { cluster, at: now.toISOString(), keysets: keysets.map((keyset) => keysetReport(keyset, now)) };
    },
    async rotateKeypairs(cluster, step, options = {}) {
      const context = await host.keyStore(cluster, options.signal);
      const keyset = options.keyset ?? 'all';
      if (keyset !== 'all') {
        validateKeysetName(keyset);
        validateRotatableKeysetName(keyset);
      }
      const names = keyset === 'all' ? await rotatableKeysets(context) : [keyset];
      return rotateKeysets(context, names, step);
    },
  };
}
