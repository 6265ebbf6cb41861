import { StateStoreError } from '../../errors.js';
import type { AzureBackendOptions } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The credential to use, decided from options first, then kops's environment variables. */
export type AzureAuth =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'sharedKey'; accountKey: string }
  | { kind: 'sas'; sasToken: string }
  | { kind: 'default' };

/** Resolved settings (secrets stay inside; nothing here is ever put in a message). */
export interface AzureSettings {
  auth: AzureAuth;
  /** The account configured outside the URL, used to tell the two URL forms apart. */
  configuredAccount?: string;
  /** The blob endpoint from options, environment or the connection string. */
  endpoint?: string;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** Reads one `Key=Value` field of a connection string. */
export function connectionStringField(connectionString: string, field: string): string | undefined {
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === field.toLowerCase()) return nonEmpty(part.slice(eq + 1));
  }
  return undefined;
}

/** Picks credentials: connection string, account key, SAS (options, then env), else DefaultAzureCredential. */
export function resolveAzureSettings(options: AzureBackendOptions, env: Env): AzureSettings {
  // Explicit options beat the environment: an accountKey or sasToken in options skips the env connection string.
  const explicitOther = nonEmpty(options.accountKey) !== undefined || nonEmpty(options.sasToken) !== undefined;
  const connectionString =
    nonEmpty(options.connectionString) ?? (explicitOther ? undefined : nonEmpty(env.AZURE_STORAGE_CONNECTION_STRING));
  const accountKey =
    nonEmpty(options.accountKey) ?? nonEmpty(env.AZURE_STORAGE_KEY) ?? nonEmpty(env.AZURE_STORAGE_ACCESS_KEY);
  const sasToken = nonEmpty(options.sasToken) ?? nonEmpty(env.AZURE_STORAGE_SAS_TOKEN);
  let auth: AzureAuth;
  if (connectionString !== undefined) auth = { kind: 'connectionString', connectionString };
  else if (nonEmpty(options.accountKey) !== undefined)
    auth = { kind: 'sharedKey', accountKey: options.accountKey!.trim() };
  else if (nonEmpty(options.sasToken) !== undefined) auth = { kind: 'sas', sasToken: options.sasToken!.trim() };
  else if (accountKey !== undefined) auth = { kind: 'sharedKey', accountKey };
  else if (sasToken !== undefined) auth = { kind: 'sas', sasToken };
  else auth = { kind: 'default' };
  if (
    auth.kind === 'connectionString' &&
    connectionStringField(auth.connectionString, 'AccountName') === undefined &&
    connectionStringField(auth.connectionString, 'BlobEndpoint') === undefined
  ) {
    throw new StateStoreError(
      'InvalidArgument',
      'azure: the connection string has neither AccountName nor BlobEndpoint',
    );
  }
  const fromConnection = auth.kind === 'connectionString' ? auth.connectionString : undefined;
  const configuredAccount =
    nonEmpty(options.accountName) ??
    nonEmpty(env.AZURE_STORAGE_ACCOUNT) ??
    (fromConnection === undefined ? undefined : connectionStringField(fromConnection, 'AccountName'));
  const endpoint =
    nonEmpty(options.endpoint) ??
    nonEmpty(env.AZURE_STORAGE_BLOB_ENDPOINT) ??
    (fromConnection === undefined ? undefined : connectionStringField(fromConnection, 'BlobEndpoint'));
  return {
    auth,
    ...(configuredAccount === undefined ? {} : { configuredAccount }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}
