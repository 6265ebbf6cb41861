import type { RetryPolicy } from '../../vfs/retry.js';

/**
 * A `BlobServiceClient` of `@azure/storage-blob`, typed by the little statestore uses so that this
 * package's types do not need the SDK installed. Pass the SDK's own client; it is used as given.
 */
export interface AzureServiceClientLike {
  /** The storage account the client talks to. */
  readonly accountName: string;
  /** The SDK's `BlobServiceClient.getContainerClient`. */
  getContainerClient(containerName: string): unknown;
}

/**
 * Options of the Azure Blob backend (`azureblob://`). Unset fields fall back to kops's
 * environment variables (read from `OpenVfsOptions.env`, default `process.env`):
 * `AZURE_STORAGE_ACCOUNT`, `AZURE_STORAGE_KEY`, `AZURE_STORAGE_CONNECTION_STRING`,
 * `AZURE_STORAGE_SAS_TOKEN`, `AZURE_STORAGE_BLOB_ENDPOINT`.
 *
 * Credentials are chosen in this order: `connectionString`, `accountKey`, `sasToken` (options
 * first, then the environment), else `@azure/identity`'s DefaultAzureCredential.
 */
export interface AzureBackendOptions {
  /**
   * Your own `BlobServiceClient` (a custom pipeline policy, proxy or credential), used as given:
   * its account (`accountName`), endpoint, credential and retry options apply; statestore keeps no
   * resources of it to release. Exclusive with `accountKey`, `connectionString`, `sasToken` and
   * `endpoint` (InvalidArgument naming both); kops's Azure environment variables are not read.
   * Its own retries apply on top of statestore's: build it with `retryOptions: { maxTries: 1 }`
   * to have statestore's policy alone.
   */
  serviceClient?: AzureServiceClientLike;
  /** Storage account name (3-24 lowercase letters and digits). */
  accountName?: string;
  /** Shared key of the account (base64). */
  accountKey?: string;
  /** A full connection string (its AccountName and BlobEndpoint are used too). */
  connectionString?: string;
  /** A SAS token (with or without the leading `?`). */
  sasToken?: string;
  /**
   * Blob service endpoint, for Azurite and sovereign clouds, including the account path when the
   * service uses path-style addressing (e.g. `http://127.0.0.1:10000/devstoreaccount1`).
   * Default: `https://<account>.blob.core.windows.net`.
   */
  endpoint?: string;
  /** Encryption scope applied to every write and copy. */
  encryptionScope?: string;
  /** Streams are staged in blocks of this many bytes (bounded memory). Default 4 MiB. */
  blockSize?: number;
  /** Retry policy for this backend (overrides `OpenVfsOptions.retry`). */
  retry?: RetryPolicy;
}
