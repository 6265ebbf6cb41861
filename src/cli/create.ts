import { Command } from 'commander';
import { clusterFromOptions, stringifyClusterDocuments, type CreateClusterOptions } from '../index.js';
import { contextOf, withStore } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { collect, collectCsv, examples } from './help.js';
import { createKeypairCommand, createSshPublicKeyCommand } from './pki.js';
import { assertNotLeased, NO_LEASE_HELP } from './lease-guard.js';
import { readInput } from './input.js';
import { CLOUD_FACTS_HELP, readCloudFacts } from './cloud-facts.js';
import { homedir } from 'node:os';

type Kind = 'string' | 'list' | 'int' | 'bool';

/**
 * kops's `create cluster` flags (kops: cmd/kops/create_cluster.go NewCmdCreateCluster) and the
 * `CreateClusterOptions` field each sets. `list` flags are cobra StringSlices: repeatable and
 * comma-separated. Deprecated aliases (`--master-*`, `--vpc`) are kept, as kops keeps them.
 */
const FLAGS: Array<[flag: string, field: keyof CreateClusterOptions, kind: Kind]> = [
  ['cloud', 'cloud', 'string'],
  ['zones', 'zones', 'list'],
  ['control-plane-zones', 'controlPlaneZones', 'list'],
  ['master-zones', 'controlPlaneZones', 'list'],
  ['control-plane-count', 'controlPlaneCount', 'int'],
  ['master-count', 'controlPlaneCount', 'int'],
  ['node-count', 'nodeCount', 'int'],
  ['node-size', 'nodeSizes', 'list'],
  ['control-plane-size', 'controlPlaneSizes', 'list'],
  ['master-size', 'controlPlaneSizes', 'list'],
  ['api-server-count', 'apiServerCount', 'int'],
  ['api-server-size', 'apiServerSizes', 'list'],
  ['etcd-count', 'etcdCount', 'int'],
  ['etcd-size', 'etcdSizes', 'list'],
  ['scheduler-count', 'schedulerCount', 'int'],
  ['scheduler-size', 'schedulerSizes', 'list'],
  ['kcm-count', 'kubeControllerManagerCount', 'int'],
  ['kcm-size', 'kubeControllerManagerSizes', 'list'],
  ['kubernetes-version', 'kubernetesVersion', 'string'],
  ['kubernetes-feature-gates', 'kubernetesFeatureGates', 'list'],
  ['container-runtime', 'containerRuntime', 'string'],
  ['networking', 'networking', 'string'],
  ['network-cidr', 'networkCIDRs', 'list'],
  ['network-id', 'networkID', 'string'],
  ['vpc', 'networkID', 'string'],
  ['subnets', 'subnetIDs', 'list'],
  ['utility-subnets', 'utilitySubnetIDs', 'list'],
  ['disable-subnet-tags', 'disableSubnetTags', 'bool'],
  ['topology', 'topology', 'string'],
  ['bastion', 'bastion', 'bool'],
  ['dns-zone', 'dnsZone', 'string'],
  ['dns', 'dnsType', 'string'],
  ['admin-access', 'adminAccess', 'list'],
  ['ssh-access', 'sshAccess', 'list'],
  ['image', 'image', 'string'],
  ['node-image', 'nodeImage', 'string'],
  ['control-plane-image', 'controlPlaneImage', 'string'],
  ['master-image', 'controlPlaneImage', 'string'],
  ['bastion-image', 'bastionImage', 'string'],
  ['channel', 'channel', 'string'],
  ['cloud-labels', 'cloudLabels', 'string'],
  ['etcd-clusters', 'etcdClusters', 'list'],
  ['encrypt-etcd-storage', 'encryptEtcdStorage', 'bool'],
  ['etcd-storage-type', 'etcdStorageType', 'string'],
  ['control-plane-volume-size', 'controlPlaneVolumeSize', 'int'],
  ['master-volume-size', 'controlPlaneVolumeSize', 'int'],
  ['control-plane-volume-type', 'controlPlaneVolumeType', 'string'],
  ['node-volume-size', 'nodeVolumeSize', 'int'],
  ['node-volume-type', 'nodeVolumeType', 'string'],
  ['control-plane-security-groups', 'controlPlaneSecurityGroups', 'list'],
  ['master-security-groups', 'controlPlaneSecurityGroups', 'list'],
  ['node-security-groups', 'nodeSecurityGroups', 'list'],
  ['control-plane-tenancy', 'controlPlaneTenancy', 'string'],
  ['master-tenancy', 'controlPlaneTenancy', 'string'],
  ['node-tenancy', 'nodeTenancy', 'string'],
  ['associate-public-ip', 'associatePublicIP', 'bool'],
  ['api-loadbalancer-type', 'apiLoadBalancerType', 'string'],
  ['api-loadbalancer-class', 'apiLoadBalancerClass', 'string'],
  ['api-ssl-certificate', 'apiSSLCertificate', 'string'],
  ['api-public-name', 'apiPublicName', 'string'],
  ['master-public-name', 'apiPublicName', 'string'],
  ['discovery-store', 'discoveryStore', 'string'],
  ['instance-manager', 'instanceManager', 'string'],
  ['config-base', 'configBase', 'string'],
  ['project', 'project', 'string'],
  ['gce-service-account', 'gceServiceAccount', 'string'],
  ['authorization', 'authorization', 'string'],
  ['ipv6', 'ipv6', 'bool'],
  ['os-ext-net', 'openstackExternalNet', 'string'],
  ['os-ext-subnet', 'openstackExternalSubnet', 'string'],
  ['os-lb-floating-subnet', 'openstackLBSubnet', 'string'],
  ['os-kubelet-ignore-az', 'openstackStorageIgnoreAZ', 'bool'],
  ['os-octavia', 'openstackLBOctavia', 'bool'],
  ['os-octavia-provider', 'openstackOctaviaProvider', 'string'],
  ['os-dns-servers', 'openstackDNSServers', 'string'],
  ['os-network', 'openstackNetworkID', 'string'],
  ['set', 'sets', 'list'],
  ['unset', 'unsets', 'list'],
];

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseBool(flag: string): (value: string) => boolean {
  return (value) => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new CliError(`--${flag} takes true or false, not "${value}"`, EXIT.USAGE);
  };
}

function parseInt32(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new CliError(`--${flag} takes a whole number, not "${value}"`, EXIT.USAGE);
    return n;
  };
}

function addFlags(cmd: Command): Command {
  for (const [flag, field, kind] of FLAGS) {
    const help = `kops --${flag} (${field})`;
    // --set keeps commas: kops reads it as a lazily quoted slice where values may hold commas.
    if (kind === 'list')
      cmd.option(`--${flag} <values>`, help, flag === 'set' || flag === 'unset' ? collect : collectCsv);
    else if (kind === 'int') cmd.option(`--${flag} <n>`, help, parseInt32(flag));
    else if (kind === 'bool') cmd.option(`--${flag} [bool]`, help, parseBool(flag));
    else cmd.option(`--${flag} <value>`, help);
  }
  return cmd;
}

/** The options the flags given name (only those: unset flags keep the library's defaults). */
export function optionsFromFlags(name: string, flags: Record<string, unknown>): CreateClusterOptions {
  const options: Record<string, unknown> = { clusterName: name };
  for (const [flag, field] of FLAGS) {
    const value = flags[camel(flag)];
    if (value === undefined) continue;
    options[field] = value;
  }
  return options as unknown as CreateClusterOptions;
}

/** `create cluster`: kops's flags onto `clusterFromOptions`, then `createCluster` (or print it with --dry-run). */
export function createCommand(): Command {
  const create = new Command('create').description('Create resources (kops create)');
  const cluster = addFlags(
    new Command('cluster')
      .argument('[name]', 'the cluster name (or --name)')
      .description('Create a cluster config and its instance groups, as kops create cluster writes them')
      .option('--name <cluster>', 'the cluster name (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
      .option('--dry-run', 'print the cluster (with -o yaml or json), write nothing')
      .option(
        '--ssh-public-key <file>',
        'kops --ssh-public-key: an admin SSH public key file, added to the new cluster',
      )
      .option('--cloud-facts <file>', CLOUD_FACTS_HELP)
      .option('--no-lease', NO_LEASE_HELP),
  ).action(async (name: string | undefined, flags: Record<string, unknown>, command: Command) => {
    const ctx = contextOf(command);
    const clusterName = name ?? (flags.name as string | undefined);
    if (!clusterName) throw new CliError('the cluster name is required: create cluster NAME (or --name)', EXIT.USAGE);
    const options = optionsFromFlags(clusterName, flags);
    // What EC2 would answer: images and sizes picked by it, and aws.go's rules asking it run at the write.
    const cloudFacts = await readCloudFacts(flags.cloudFacts as string | undefined);
    // kops's create writes spec.configBase = {state store}/{cluster} (see kopsConfigBase): the store's URL.
    if (flags.dryRun) {
      const built = clusterFromOptions({ stateStore: ctx.flags.state, ...options }, cloudFacts);
      if (ctx.out.json) return ctx.out.result([built.cluster, ...built.instanceGroups]);
      return ctx.out.text(stringifyClusterDocuments(built));
    }
    // kops reads the key file before it writes anything (cmd/kops/create_cluster.go:219-224).
    const sshKey = typeof flags.sshPublicKey === 'string' ? await readInput(expandHome(flags.sshPublicKey)) : undefined;
    const { built, url } = await withStore(ctx, async (store) => {
      const result = clusterFromOptions({ stateStore: store.url, ...options }, cloudFacts);
      await assertNotLeased(ctx, store, clusterName);
      await store.createCluster(clusterName, result.cluster, result.instanceGroups, { cloudFacts });
      // Then adds it as `kops create sshpublickey` does (create_cluster.go:862-872, AddSSHPublicKey).
      if (sshKey !== undefined) await store.addSshPublicKey(clusterName, sshKey);
      return { built: result, url: store.url };
    });
    // kops finds the store through KOPS_STATE_STORE or --state: name it unless kops reads it from the environment.
    const state = process.env.KOPS_STATE_STORE ? '' : ` --state ${url}`;
    if (ctx.out.json)
      ctx.out.result({ created: clusterName, instanceGroups: built.instanceGroups.map((ig) => ig.metadata?.name) });
    ctx.out.info(
      `cluster "${clusterName}" created with ${built.instanceGroups.length} instance groups; next: kops update cluster --name ${clusterName}${state} --yes`,
    );
  });
  create.addCommand(
    examples(cluster, [
      'statestore create cluster demo.example.com --cloud aws --zones us-east-1a --dry-run -o yaml',
      'statestore create cluster demo.example.com --cloud gce --zones us-central1-a --node-count 3 --networking cilium --set spec.kubeDNS.provider=CoreDNS',
      'statestore create cluster demo.example.com --cloud aws --zones us-east-1a --node-size m6g.large --cloud-facts facts.yaml',
    ]),
  );
  create.addCommand(createKeypairCommand());
  create.addCommand(createSshPublicKeyCommand());
  return examples(create, ['statestore create cluster demo.example.com --cloud aws --zones us-east-1a']);
}

/** `~/x` as kops's utils.ExpandPath reads it: the home folder's `x`. */
function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? homedir() + file.slice(1) : file;
}
