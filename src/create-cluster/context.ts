import { StateStoreError } from '../errors.js';
import { recommendedKubernetesVersion, type ChannelData } from './channel.js';
import { alphaChannel } from './channels/alpha.js';
import { stableChannel } from './channels/stable.js';
import type { CloudFacts } from './cloud-facts.js';
import type { CreateClusterOptions } from './options.js';
import { dnsType, guessCloudForPath } from './spec-parts.js';

// kops downloads other channels by URL; these two ship with kops's source and are built in.
const CHANNELS: Record<string, ChannelData> = { stable: stableChannel, alpha: alphaChannel };

// The clouds kops's NewCluster knows (pkg/apis/kops/channel.go). "metal" needs kops's Metal
// feature flag and writes state this library does not model, so it is left out.
const CLOUDS = ['aws', 'digitalocean', 'gce', 'hetzner', 'openstack', 'azure', 'scaleway', 'linode'];

/** The options after kops's checks and defaults, shared by every step of building a cluster. */
export interface BuildContext {
  options: CreateClusterOptions;
  facts: CloudFacts | undefined;
  name: string;
  cloud: string;
  zones: string[];
  /** Node and control-plane zones together, sorted (kops keeps them in a sorted set). */
  allZones: string[];
  topology: 'public' | 'private';
  dns: string;
  ipv6: boolean;
  channelName: string;
  channel: ChannelData;
  kubernetesVersion: string;
  configBase: string | undefined;
}

function required<T>(value: T | undefined | null | '', message: string): T {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
    throw new StateStoreError('InvalidArgument', message);
  }
  return value;
}

function topologyOf(options: CreateClusterOptions): 'public' | 'private' {
  // kops: setupTopology defaults to private for IPv6 clusters and public otherwise.
  const topology = (options.topology || (options.ipv6 ? 'private' : 'public')).toLowerCase();
  if (topology !== 'public' && topology !== 'private') {
    throw new StateStoreError(
      'InvalidArgument',
      `topology: unknown topology ${JSON.stringify(options.topology)} (public or private)`,
    );
  }
  return topology;
}

/**
 * The `spec.configBase` kops writes for a new cluster: `{state store}/{cluster name}` unless
 * `--config-base` names another place (kops: upup/pkg/fi/cloudup/new_cluster.go:256-263 sets
 * `ConfigStore.Base` from `clientset.ConfigBaseFor`; pkg/client/simple/vfsclientset/clientset.go:78-83
 * falls back to `configBase(cluster.Name)`, cluster.go:65-71 `basePath.Join(clusterName)`; v1alpha2
 * writes it as `spec.configBase`, pkg/apis/kops/v1alpha2/conversion.go:413).
 */
export function kopsConfigBase(stateStore: string, cluster: string): string {
  return `${stateStore.replace(/\/+$/, '')}/${cluster}`;
}

/** Checks the options the way kops's `NewCluster` does and fills in its defaults. */
export function buildContext(options: CreateClusterOptions, facts: CloudFacts | undefined): BuildContext {
  const name = required(options.clusterName, 'clusterName is required');
  const zones = required(options.zones, 'at least one zone is required (zones)');
  const configBase = options.configBase || (options.stateStore ? kopsConfigBase(options.stateStore, name) : undefined);
  const cloud = required(
    options.cloud || guessCloudForPath(configBase),
    'cloud is required (it cannot be guessed from the state store)',
  );
  if (!CLOUDS.includes(cloud)) {
    throw new StateStoreError(
      'InvalidArgument',
      `cloud: unsupported cloud provider ${JSON.stringify(cloud)} (${CLOUDS.join(', ')})`,
    );
  }
  const channelName = options.channel || 'stable';
  const channel = CHANNELS[channelName];
  if (!channel)
    throw new StateStoreError(
      'InvalidArgument',
      `channel: unknown channel ${JSON.stringify(channelName)} (only "stable" and "alpha" are built in)`,
    );
  const topology = topologyOf(options);
  if (options.bastion && topology !== 'private') {
    throw new StateStoreError('InvalidArgument', 'bastion: a bastion needs the private topology');
  }
  const instanceManager = options.instanceManager || 'cloudgroups';
  if (instanceManager !== 'cloudgroups' && instanceManager !== 'karpenter') {
    throw new StateStoreError(
      'InvalidArgument',
      `instanceManager: invalid value ${JSON.stringify(instanceManager)} (cloudgroups or karpenter)`,
    );
  }
  if (instanceManager === 'karpenter' && !options.discoveryStore) {
    throw new StateStoreError('InvalidArgument', 'instanceManager: karpenter requires discoveryStore');
  }
  return {
    options,
    facts,
    name,
    cloud,
    zones,
    topology,
    channelName,
    channel,
    configBase,
    allZones: [...new Set([...zones, ...(options.controlPlaneZones ?? [])])].sort(),
    dns: dnsType(options.dnsType ?? options.dns, options.dnsZone),
    // kops logs that IPv6 is AWS-only but still lays the cluster out for it (setupTopology);
    // only the subnets' IPv6 block placeholders are AWS's alone.
    ipv6: options.ipv6 === true,
    kubernetesVersion: options.kubernetesVersion || recommendedKubernetesVersion(channel) || '',
  };
}
