/**
 * The store's secrets (kops's `secrets/<name>`), in the cluster's secret store: the methods of
 * {@link StateStore} that read and write them, kept beside the store (vfs-state-store.ts
 * delegates) so the store class stays one concern per module.
 */
import type { CallOptions } from '../vfs/types.js';
import type { KeyProvider } from './encryption/key-provider.js';
import type { StoreLocation } from './locations.js';
import { validateClusterName } from './names.js';
import { deleteSecret, listSecrets, readSecret, validateSecretName, writeSecret } from './secrets.js';
import type { WriteResult } from './results.js';
import type { StateStore } from './state-store.js';
import type { PutOptions, SecretPutOptions } from './store-options.js';

/** What the secret methods need from the store. */
export interface SecretOperationsContext {
  /** The cluster's secret store, resolved from its config (refused when it overlaps the cluster's documents). */
  secretStore(cluster: string, signal?: AbortSignal): Promise<StoreLocation>;
  /** The envelope key provider, when the store encrypts (read at each call: the store sets it up after this). */
  keys(): KeyProvider | undefined;
  /** Whether plain (not enveloped) secrets may be read. */
  allowPlaintext(): boolean;
}

/** The secret methods of a store. */
export type SecretOperations = Pick<StateStore, 'listSecrets' | 'getSecret' | 'putSecret' | 'deleteSecret'>;

/** The secret methods over `ctx`. */
export function createSecretOperations(ctx: SecretOperationsContext): SecretOperations {
  return {
    async listSecrets(cluster: string, options: CallOptions = {}): Promise<string[]> {
      validateClusterName(cluster);
      return listSecrets(await ctx.secretStore(cluster, options.signal), options.signal);
    },

    async getSecret(cluster: string, name: string, options: CallOptions = {}): Promise<Uint8Array> {
      validateClusterName(cluster);
      validateSecretName(name);
      return readSecret(await ctx.secretStore(cluster, options.signal), name, {
        signal: options.signal,
        provider: ctx.keys(),
        allowPlaintext: ctx.allowPlaintext(),
      });
    },

    async putSecret(
      cluster: string,
      name: string,
      data: Uint8Array | string,
      options: SecretPutOptions = {},
    ): Promise<WriteResult> {
      validateClusterName(cluster);
      validateSecretName(name);
      const location = await ctx.secretStore(cluster, options.signal);
      const write = { ...conditionOf(options), signal: options.signal };
      const version = await writeSecret(
        location,
        name,
        data,
        write,
        options.encrypt === false ? undefined : ctx.keys(),
      );
      return { version };
    },

    async deleteSecret(cluster: string, name: string, options: PutOptions = {}): Promise<void> {
      validateClusterName(cluster);
      validateSecretName(name);
      await deleteSecret(await ctx.secretStore(cluster, options.signal), name, options);
    },
  };
}

/** The write condition of a secret: `ifMatch` as given, else create only unless `overwrite`. */
export function conditionOf(
  options: SecretPutOptions,
): { ifMatch: string } | { ifNoneMatch: '*' } | Record<string, never> {
  return options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : options.overwrite ? {} : { ifNoneMatch: '*' };
}
