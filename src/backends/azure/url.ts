import { StateStoreError } from '../../errors.js';
import type { StoreUrl } from '../../vfs/url.js';

/** Where an `azureblob://` URL points. */
export interface AzureLocation {
  account: string;
  container: string;
  /** Key prefix without leading or trailing `/` ('' for the container root). */
  prefix: string;
  /** Which URL form was used. */
  form: 'account' | 'kops';
}

const ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Resolves both URL forms:
 * - `azureblob://account/container/prefix`;
 * - kops's form `azureblob://container/prefix`, the account taken from `AZURE_STORAGE_ACCOUNT`
 *   (kops's `vfs.Context` parses the host as the container and reads the account from that variable).
 *
 * The rule that tells them apart, decided before any I/O:
 * 1. a host that cannot be an account name (it has `-` or is longer than 24) is a container: kops form;
 * 2. else, when an account is configured (`azure.accountName`, `AZURE_STORAGE_ACCOUNT`, or the
 *    connection string's AccountName) and the host is not that account: kops form;
 * 3. otherwise the host is the account and the first path segment the container.
 * So `azureblob://acct/state` with `AZURE_STORAGE_ACCOUNT=acct` means container `state` of `acct`,
 * and with `AZURE_STORAGE_ACCOUNT=other` means container `acct`, prefix `state`, in `other`.
 */
export function resolveAzureUrl(url: StoreUrl, configuredAccount: string | undefined): AzureLocation {
  const host = url.host;
  const segments = url.path.split('/').filter((s) => s !== '');
  const bad = (why: string): StateStoreError =>
    new StateStoreError('InvalidArgument', `invalid azureblob URL ${JSON.stringify(url.redacted)}: ${why}`);
  const kops = !ACCOUNT.test(host) || (configuredAccount !== undefined && configuredAccount !== host);
  let location: AzureLocation;
  if (kops) {
    if (configuredAccount === undefined)
      throw bad('no storage account: use azureblob://account/container/prefix or set AZURE_STORAGE_ACCOUNT');
    location = { account: configuredAccount, container: host, prefix: segments.join('/'), form: 'kops' };
  } else {
    const [container, ...rest] = segments;
    if (container === undefined) throw bad('missing container: expected azureblob://account/container/prefix');
    location = { account: host, container, prefix: rest.join('/'), form: 'account' };
  }
  if (!ACCOUNT.test(location.account)) throw bad('storage account names are 3-24 lowercase letters and digits');
  if (!CONTAINER.test(location.container))
    throw bad('container names are 3-63 lowercase letters, digits and single hyphens');
  return location;
}
