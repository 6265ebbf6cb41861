import { StateStoreError } from '../../errors.js';
import { isPlainObject } from '../../config/guard.js';
import { parseYamlDocuments } from '../../config/yaml/parse.js';
import { stringifyYaml } from '../../config/yaml/stringify.js';
import type { ClusterKubeconfig } from './kubeconfig.js';

/**
 * Merging a cluster's kubeconfig into kubeconfig files as kops's `WriteKubecfg` does
 * (kops: pkg/kubeconfig/kubecfg_builder.go:82-211) through client-go's `ModifyConfig`
 * (vendor/k8s.io/client-go/tools/clientcmd/config.go:112-134,165-293,381-415): the entries are
 * decided on the merged view of all files, then each is written to the file it came from, new ones
 * and `current-context` to the default file. Pure: the caller reads and writes the files.
 */

type Entry = Record<string, unknown>;
type ListName = 'clusters' | 'users' | 'contexts';
const BODY: Record<ListName, string> = { clusters: 'cluster', users: 'user', contexts: 'context' };

/** A kubeconfig file: its path and its text (undefined when it does not exist). */
export interface KubeconfigFile {
  /** Where the file is; a key of {@link mergeKubeconfig}'s answer. */
  path: string;
  /** Its text; undefined when it does not exist yet. */
  text: string | undefined;
}

function parseKubeconfig(file: KubeconfigFile): Entry {
  if (file.text === undefined || file.text.trim() === '') return {};
  const documents = parseYamlDocuments(file.text);
  const value = documents.length === 1 ? documents[0]!.value : undefined;
  if (!isPlainObject(value))
    throw new StateStoreError('InvalidArgument', `${file.path} is not a kubeconfig (a YAML map)`);
  return value;
}

function entries(config: Entry, list: ListName): Entry[] {
  const value = config[list];
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

function bodyOf(config: Entry, list: ListName, name: string): Entry | undefined {
  const found = entries(config, list).find((entry) => entry.name === name)?.[BODY[list]];
  return isPlainObject(found) ? found : undefined;
}

/** The file a named entry comes from: the first in precedence that defines it (client-go's merge: first wins). */
function originOf(configs: Entry[], list: ListName, name: string): number | undefined {
  const index = configs.findIndex((config) => bodyOf(config, list, name) !== undefined);
  return index < 0 ? undefined : index;
}

/** client-go's GetDefaultFilename (config.go:112-134) over the precedence list. */
function defaultIndex(files: readonly KubeconfigFile[]): number {
  if (files.length === 1) return 0;
  const existing = files.findIndex((file) => file.text !== undefined);
  return existing >= 0 ? existing : files.length - 1;
}

const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

/** The three entries kops writes, decided on the merged view (kubecfg_builder.go:92-201). */
function decideEntries(configs: Entry[], kc: ClusterKubeconfig): Partial<Record<ListName, Entry>> {
  const first = (list: ListName, name: string) => {
    const index = originOf(configs, list, name);
    return index === undefined ? undefined : bodyOf(configs[index]!, list, name);
  };
  const cluster: Entry = {
    ...(first('clusters', kc.context) ?? {}),
    server: kc.server,
    'tls-server-name': kc.tlsServerName,
  };
  delete cluster['certificate-authority-data'];
  if (kc.certificateAuthority) cluster['certificate-authority-data'] = base64(kc.certificateAuthority);
  const decided: Partial<Record<ListName, Entry>> = { clusters: cluster };
  let haveUserInfo = false;
  if (kc.user === kc.context) {
    const exec = kc.authenticationExec;
    if ((kc.clientCertificate !== undefined && kc.clientKey !== undefined) || exec !== undefined) {
      decided.users = userEntry(first('users', kc.context) ?? {}, kc);
      haveUserInfo = true;
    }
  } else if (kc.user !== '') {
    if (first('users', kc.user) === undefined)
      throw new StateStoreError('NotFound', `could not find user "${kc.user}" in the kubeconfig`);
    haveUserInfo = true;
  }
  const context: Entry = { user: '', ...(first('contexts', kc.context) ?? {}), cluster: kc.context };
  if (haveUserInfo) context.user = kc.user;
  decided.contexts = context;
  return decided;
}

/** The admin user entry: client certificate data or kops's auth plugin (kubecfg_builder.go:111-153). */
function userEntry(existing: Entry, kc: ClusterKubeconfig): Entry {
  const user: Entry = { ...existing };
  for (const field of ['client-certificate', 'client-key', 'client-certificate-data', 'client-key-data'])
    delete user[field];
  if (kc.clientCertificate !== undefined && kc.clientKey !== undefined) {
    user['client-certificate-data'] = base64(kc.clientCertificate);
    user['client-key-data'] = base64(kc.clientKey);
  }
  if (kc.authenticationExec !== undefined) {
    // The plugin is used only without a password; the fields are client-go's v1 ExecConfig's.
    delete user.username;
    delete user.password;
    const [command, ...args] = kc.authenticationExec;
    user.exec = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      args,
      command,
      env: null,
      provideClusterInfo: false,
    };
  }
  return user;
}

function withEntry(config: Entry, list: ListName, name: string, body: Entry): Entry {
  const others = entries(config, list).filter((entry) => entry.name !== name);
  return { ...config, [list]: [...others, { name, [BODY[list]]: body }] };
}

/** A kubeconfig as client-go writes it: lists sorted by name, go-yaml v2's sorted keys. */
export function renderKubeconfig(config: Record<string, unknown>): string {
  const out: Entry = { ...config, apiVersion: config.apiVersion ?? 'v1', kind: config.kind ?? 'Config' };
  for (const list of ['clusters', 'users', 'contexts'] as const) {
    const sorted = entries(config, list).sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
    out[list] = sorted.length === 0 ? null : sorted; // client-go writes a nil list as null
  }
  out['current-context'] = typeof config['current-context'] === 'string' ? config['current-context'] : '';
  if (isPlainObject(out.preferences) && Object.keys(out.preferences).length === 0) delete out.preferences;
  return stringifyYaml(out);
}

/**
 * Merges `kc` into the kubeconfig files (in precedence order: `--kubeconfig`, else `$KUBECONFIG`'s
 * list, else `~/.kube/config`), as kops does. Resolves to the new text of each file that changes.
 */
export function mergeKubeconfig(files: readonly KubeconfigFile[], kc: ClusterKubeconfig): Map<string, string> {
  if (files.length === 0) throw new StateStoreError('InvalidArgument', 'no kubeconfig file to write');
  const configs = files.map(parseKubeconfig);
  const decided = decideEntries(configs, kc);
  const fallback = defaultIndex(files);
  const changed = new Map<number, Entry>();
  const edit = (index: number, change: (config: Entry) => Entry) =>
    changed.set(index, change(changed.get(index) ?? configs[index]!));
  for (const list of ['clusters', 'users', 'contexts'] as const) {
    const body = decided[list];
    if (body !== undefined)
      edit(originOf(configs, list, kc.context) ?? fallback, (c) => withEntry(c, list, kc.context, body));
  }
  edit(fallback, (config) => ({ ...config, 'current-context': kc.context }));
  const texts = new Map<string, string>();
  for (const [index, config] of changed) texts.set(files[index]!.path, renderKubeconfig(config));
  return texts;
}
