import { X509Certificate } from 'node:crypto';
import { Command } from 'commander';
import type { ClusterConfig, InstanceGroupConfig, Keyset, StateStore } from '../index.js';
import { CliError, EXIT } from './exit-codes.js';
import { contextOf, withStore } from './context.js';
import { clusterFlag, examples } from './help.js';

/** `get clusters|instancegroups|secrets|keypairs|sshpublickeys`: kops's `get` (kops: cmd/kops/get_*.go). */
export function getCommand(): Command {
  const get = new Command('get').description('List or show clusters, instance groups, secrets, keypairs and SSH keys');
  get.addCommand(getClusters());
  get.addCommand(listCommand('instancegroups', 'ig', 'instance groups', getInstanceGroups));
  get.addCommand(listCommand('secrets', 'secret', 'secret names', getSecrets));
  get.addCommand(listCommand('keypairs', 'keypair', 'keypairs (keysets)', getKeypairs));
  get.addCommand(listCommand('sshpublickeys', 'sshpublickey', 'SSH public keys', getSshPublicKeys));
  examples(get, [
    'statestore get clusters',
    'statestore get cluster prod.example.com -o yaml',
    'statestore get ig --name prod.example.com --json',
  ]);
  return get;
}

function getClusters(): Command {
  const cmd = new Command('clusters')
    .alias('cluster')
    .argument('[names...]', 'clusters to show (default: all)')
    .description('List clusters (NAME CLOUD ZONES), or print their config with -o yaml|json')
    .option('--full', 'print the completed spec (cluster-completed.spec) kops last applied')
    .action(async (names: string[], opts: { full?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await withStore(ctx, async (store) => {
        const wanted = names.length > 0 ? names : await store.listClusters();
        if (opts.full) return printFull(store, wanted, ctx);
        const docs = await Promise.all(wanted.map((name) => store.getCluster(name)));
        // The rule of pick(): none at all is `[]` for --json, exit 3 for people.
        if (names.length === 0 && docs.length === 0 && !ctx.out.json)
          throw new CliError('no clusters found', EXIT.NOT_FOUND);
        const values = docs.map((doc) => doc.value);
        if ((ctx.out.format ?? 'table') === 'yaml') return ctx.out.text(docs.map((doc) => doc.text).join('---\n'));
        ctx.out.result(names.length === 1 ? values[0] : values, () => ({
          headers: ['NAME', 'CLOUD', 'ZONES'],
          rows: values.map(clusterRow),
        }));
      });
    });
  return examples(cmd, [
    'statestore get clusters',
    'statestore get cluster prod.example.com -o yaml > cluster.yaml',
    'statestore get clusters --json | jq -r ".[].metadata.name"',
  ]);
}

async function printFull(store: StateStore, names: string[], ctx: ReturnType<typeof contextOf>): Promise<void> {
  const docs = await Promise.all(names.map((name) => store.getCompletedCluster(name)));
  if ((ctx.out.format ?? 'yaml') !== 'json') return ctx.out.text(docs.map((doc) => doc.text).join('---\n'));
  ctx.out.result(names.length === 1 ? docs[0]!.value : docs.map((doc) => doc.value));
}

/** A subnet as `get` reads it: its name and zone. */
interface SubnetView {
  name?: string;
  zone?: string;
}

/** The fields of a cluster spec that `get` reads (subnets under spec.networking, or at spec.subnets in older documents). */
interface ClusterSpecView {
  networking?: { subnets?: SubnetView[] };
  subnets?: SubnetView[];
  cloudProvider?: string | Record<string, unknown>;
}

/** The fields of an instance group spec that `get ig` shows. */
interface InstanceGroupSpecView {
  role?: string;
  machineType?: string;
  minSize?: number;
  maxSize?: number;
  zones?: string[];
  subnets?: string[];
}

function clusterRow(config: ClusterConfig): string[] {
  const spec = (config.spec ?? {}) as ClusterSpecView;
  const subnets = spec.networking?.subnets ?? spec.subnets ?? [];
  const zones = [...new Set(subnets.map((subnet) => subnet.zone).filter((zone): zone is string => !!zone))].sort();
  // kops: pkg/apis/kops/cluster.go GetCloudProvider (the set member of spec.cloudProvider, or the legacy string)
  const provider = spec.cloudProvider;
  const cloud = typeof provider === 'string' ? provider : (Object.keys(provider ?? {})[0] ?? '');
  return [config.metadata?.name ?? '', cloud, zones.join(',')];
}

type Lister = (store: StateStore, cluster: string, names: string[], ctx: ReturnType<typeof contextOf>) => Promise<void>;

function listCommand(name: string, alias: string, what: string, run: Lister): Command {
  const cmd = new Command(name)
    .alias(alias)
    .argument('[names...]', `${what} to show (default: all)`)
    .description(`List the ${what} of a cluster`);
  clusterFlag(cmd).action(async (names: string[], opts: { name: string }, command: Command) => {
    const ctx = contextOf(command);
    await withStore(ctx, (store) => run(store, opts.name, names, ctx));
  });
  return examples(cmd, [
    `statestore get ${name} --name prod.example.com`,
    `statestore get ${name} --name prod.example.com -o json`,
  ]);
}

/**
 * The one rule of every `get` list (docs/cli.md): listing all of a kind that has none is an empty
 * JSON list `[]` with exit 0 for scripts (`--json`, `-o json`), and "no X found" with exit 3 for
 * people; names asked for and not found are NotFound (exit 3) in every format.
 */
function pick<T>(
  all: T[],
  names: string[],
  nameOf: (item: T) => string,
  what: string,
  ctx: ReturnType<typeof contextOf>,
): T[] {
  const items = names.length === 0 ? all : all.filter((item) => names.includes(nameOf(item)));
  if (items.length > 0 || (names.length === 0 && ctx.out.json)) return items;
  throw new CliError(`no ${what} found`, EXIT.NOT_FOUND);
}

const getInstanceGroups: Lister = async (store, cluster, names, ctx) => {
  const config = (await store.getCluster(cluster)).value;
  const all = await store.listInstanceGroups(cluster);
  const docs = await Promise.all(
    pick(all, names, (n) => n, 'instance groups', ctx).map((n) => store.getInstanceGroup(cluster, n)),
  );
  if ((ctx.out.format ?? 'table') === 'yaml') return ctx.out.text(docs.map((doc) => doc.text).join('---\n'));
  const values = docs.map((doc) => doc.value);
  ctx.out.result(values, () => ({
    headers: ['NAME', 'ROLE', 'MACHINETYPE', 'MIN', 'MAX', 'ZONES'],
    rows: values.map((ig) => igRow(config, ig)),
  }));
};

function igRow(cluster: ClusterConfig, ig: InstanceGroupConfig): string[] {
  const spec = (ig.spec ?? {}) as InstanceGroupSpecView;
  const text = (value: unknown): string => (value === undefined || value === null ? '-' : String(value));
  return [
    ig.metadata?.name ?? '',
    spec.role ?? '',
    spec.machineType ?? '',
    text(spec.minSize),
    text(spec.maxSize),
    zonesOf(cluster, spec).join(','),
  ];
}

/** kops: pkg/apis/kops/model/utils.go FindZonesForInstanceGroup: spec.zones, else the zones of its subnets. */
function zonesOf(cluster: ClusterConfig, spec: InstanceGroupSpecView): string[] {
  if (Array.isArray(spec.zones) && spec.zones.length > 0) return spec.zones;
  const clusterSpec = (cluster.spec ?? {}) as ClusterSpecView;
  const subnets = clusterSpec.networking?.subnets ?? clusterSpec.subnets ?? [];
  const zones = (spec.subnets ?? [])
    .map((name) => subnets.find((subnet) => subnet.name === name)?.zone)
    .filter((zone): zone is string => !!zone);
  return [...new Set(zones)].sort();
}

const getSecrets: Lister = async (store, cluster, names, ctx) => {
  await store.getCluster(cluster);
  const items = pick(await store.listSecrets(cluster), names, (n) => n, 'secrets', ctx);
  ctx.out.result(items, () => ({ headers: ['NAME'], rows: items.map((n) => [n]) }));
};

const getSshPublicKeys: Lister = async (store, cluster, names, ctx) => {
  await store.getCluster(cluster);
  const keys = pick(await store.listSshPublicKeys(cluster), names, (key) => key.fingerprint, 'SSH public keys', ctx);
  ctx.out.result(
    keys.map((key) => ({ id: key.fingerprint, publicKey: key.publicKey })),
    () => ({ headers: ['ID'], rows: keys.map((key) => [key.fingerprint]) }),
  );
};

const getKeypairs: Lister = async (store, cluster, names, ctx) => {
  await store.getCluster(cluster);
  const keysets = await Promise.all(
    pick(await store.listKeysets(cluster), names, (n) => n, 'keypairs', ctx).map((n) => store.getKeyset(cluster, n)),
  );
  const items = keysets.flatMap(keypairItems);
  ctx.out.result(items, () => ({
    headers: ['NAME', 'ID', 'ISSUED', 'EXPIRES', 'PRIMARY', 'HASPRIVATE'],
    rows: items.map((item) => [
      item.name,
      item.id,
      item.issued ?? '',
      item.expires ?? '',
      item.primary ? '*' : '',
      item.hasPrivate ? '*' : '',
    ]),
  }));
};

/** kops: cmd/kops/get_keypairs.go listKeypairs: trusted items with a certificate; dates of the certificate. */
function keypairItems(
  keyset: Keyset,
): Array<{ name: string; id: string; issued?: string; expires?: string; primary: boolean; hasPrivate: boolean }> {
  return keyset.keys
    .filter((key) => key.distrustTimestamp === undefined && key.certificate !== undefined)
    .map((key) => {
      const cert = new X509Certificate(key.certificate!);
      return {
        name: keyset.name,
        id: key.id,
        issued: day(cert.validFrom),
        expires: day(cert.validTo),
        primary: key.id === keyset.primaryId,
        hasPrivate: key.privateKey !== undefined,
      };
    });
}

function day(text: string): string {
  const date = new Date(text);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
