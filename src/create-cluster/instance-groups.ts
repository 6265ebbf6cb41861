import { StateStoreError } from '../errors.js';
import type { InstanceGroupConfig } from '../config/schema/index.js';
import { machineArchitecture } from './architecture.js';
import { channelImage } from './channel.js';
import { defaultMachineType, type SizedRole } from './machine-types.js';
import type { BuildContext } from './context.js';
import type { ClusterNetwork } from './network.js';

type Obj = Record<string, unknown>;

// Images kops uses where the channel lists none for the cloud (kops: `defaultImage`,
// upup/pkg/fi/cloudup/new_cluster.go; values in populate_instancegroup_spec.go).
const DEFAULT_IMAGES: Record<string, string> = {
  digitalocean: 'ubuntu-24-04-x64',
  hetzner: 'ubuntu-24.04',
  scaleway: 'ubuntu_noble',
  linode: 'linode/ubuntu24.04',
};

function withoutUndefined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** An instance group as kops writes it, labelled with its cluster and named in its node labels. */
export function instanceGroup(clusterName: string, name: string, spec: Obj): InstanceGroupConfig {
  return {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'InstanceGroup',
    metadata: { labels: { 'kops.k8s.io/cluster': clusterName }, name },
    // Absent defaults (no default machine type for the cloud and role) are left out, not written as null.
    spec: { ...withoutUndefined(spec), nodeLabels: { 'kops.k8s.io/instancegroup': name } },
  } as unknown as InstanceGroupConfig;
}

/**
 * A group's image (kops: the loop after `setupAPI` in `NewCluster`): its role's image flag,
 * else `--image`, else the channel's image for the architecture of the group's requested
 * machine type.
 */
export function imageFor(ctx: BuildContext, roleImage: string | undefined, machineType: string | undefined): string {
  if (roleImage) return roleImage;
  if (ctx.options.image) return ctx.options.image;
  const arch = machineArchitecture(ctx.cloud, machineType, ctx.facts);
  const image = channelImage(ctx.channel, ctx.cloud, ctx.kubernetesVersion, arch) ?? DEFAULT_IMAGES[ctx.cloud];
  if (!image) {
    throw new StateStoreError(
      'InvalidArgument',
      `image: unable to determine default image for cloud provider ${JSON.stringify(ctx.cloud)} and architecture ${JSON.stringify(arch)} (give image)`,
    );
  }
  return image;
}

/**
 * Fills in the machine type of a group that asked for none, once its image and subnets are
 * known (kops: the loop at the end of `NewCluster`); the group's zones are its subnets' zones.
 */
export function withDefaultSize(ctx: BuildContext, net: ClusterNetwork, role: SizedRole, spec: Obj): Obj {
  if (spec.machineType) return spec;
  const names = (spec.subnets ?? []) as string[];
  const zones = [...new Set(net.subnets.filter((s) => names.includes(s.name)).map((s) => s.zone ?? s.region ?? ''))];
  const type = defaultMachineType(ctx, role, zones, spec.image as string | undefined);
  return type ? { ...spec, machineType: type } : spec;
}

/**
 * Machine type fields for a list of sizes: the first is the type; with several, kops lists them
 * all in a mixed instances policy (only on AWS for cloud groups).
 */
export function sizeFields(sizes: readonly string[], mixed: boolean): Obj {
  const out: Obj = {};
  if (sizes[0]) out.machineType = sizes[0];
  if (mixed && sizes.length > 1) out.mixedInstancesPolicy = { instances: [...sizes] };
  return out;
}

function nodeSizes(ctx: BuildContext): string[] {
  const { options } = ctx;
  return options.nodeSizes?.length ? options.nodeSizes : options.nodeSize ? [options.nodeSize] : [];
}

/** Spreads a total over the zones as kops does: equal shares, the first zones take the remainder. */
export function spread(total: number, count: number, i: number): number {
  return Math.floor(total / count) + (i < total % count ? 1 : 0);
}

/** Node groups: one per zone (kops: `setupNodes`), or a single Karpenter group (`setupKarpenterNodes`). */
export function nodeGroups(ctx: BuildContext, net: ClusterNetwork): InstanceGroupConfig[] {
  const { options, zones } = ctx;
  const sizes = nodeSizes(ctx);
  if (options.instanceManager === 'karpenter') {
    // Karpenter picks machines itself: no default type, no maximum; subnets filled in below.
    const spec: Obj = { role: 'Node', manager: 'Karpenter', ...sizeFields(sizes, true) };
    if (options.nodeCount) spec.minSize = options.nodeCount;
    spec.image = imageFor(ctx, undefined, sizes[0]);
    spec.subnets = net.subnets.filter((s) => s.type !== 'DualStack' && s.type !== 'Utility').map((s) => s.name);
    // kops leaves Karpenter groups without a type on AWS only (defaultMachineType).
    return [instanceGroup(ctx.name, 'nodes', ctx.cloud === 'aws' ? spec : withDefaultSize(ctx, net, 'node', spec))];
  }
  const total = options.nodeCount || zones.length;
  return zones.map((zone, i) => {
    const n = spread(total, zones.length, i);
    const own = net.zoneSubnets.get(zone) ?? [];
    // The main subnet may be small; nodes go to a zone's extra subnets when it has them.
    const spec: Obj = {
      image: imageFor(ctx, options.nodeImage, sizes[0]),
      ...sizeFields(sizes, ctx.cloud === 'aws'),
      maxSize: n,
      minSize: n,
      role: 'Node',
      subnets: own.length > 1 ? own.slice(1) : own,
    };
    if (ctx.cloud === 'gce' || ctx.cloud === 'azure') spec.zones = [zone];
    return instanceGroup(ctx.name, `nodes-${zone}`, withDefaultSize(ctx, net, 'node', spec));
  });
}

/** API-server-only groups, one per zone (kops: `setupAPIServers`, feature flag APIServerNodes). */
export function apiServerGroups(ctx: BuildContext, net: ClusterNetwork): InstanceGroupConfig[] {
  const { options, zones } = ctx;
  if (!options.apiServerCount) return [];
  const sizes = options.apiServerSizes ?? [];
  if (sizes.length > 1)
    throw new StateStoreError(
      'InvalidArgument',
      'apiServerSizes: kops supports one machine type for API server groups',
    );
  return zones.map((zone, i) => {
    const n = spread(options.apiServerCount ?? 0, zones.length, i);
    const spec: Obj = {
      image: imageFor(ctx, undefined, sizes[0]),
      machineType: sizes[0],
      maxSize: n,
      minSize: n,
      role: 'APIServer',
      subnets: net.zoneSubnets.get(zone) ?? [],
    };
    if (ctx.cloud === 'gce' || ctx.cloud === 'azure') spec.zones = [zone];
    return instanceGroup(ctx.name, `apiserver-${zone}`, withDefaultSize(ctx, net, 'apiServer', spec));
  });
}

/** The bastion group of a private cluster (kops: `setupTopology`). */
export function bastionGroups(ctx: BuildContext, net: ClusterNetwork): InstanceGroupConfig[] {
  if (ctx.topology !== 'private' || !ctx.options.bastion) return [];
  // With IPv6 bastions sit in the dual-stack subnets; otherwise in every non-utility subnet.
  const subnets = net.subnets
    .filter((s) => (ctx.ipv6 ? s.type === 'DualStack' : s.type !== 'DualStack' && s.type !== 'Utility'))
    .map((s) => s.name);
  const spec: Obj = {
    image: imageFor(ctx, ctx.options.bastionImage, undefined),
    maxSize: 1,
    minSize: 1,
    role: 'Bastion',
    subnets,
  };
  if (ctx.cloud === 'gce') spec.zones = ctx.allZones;
  return [instanceGroup(ctx.name, 'bastions', withDefaultSize(ctx, net, 'bastion', spec))];
}
