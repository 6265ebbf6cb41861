import { StateStoreError } from '../errors.js';
import type { InstanceGroupConfig } from '../config/schema/index.js';
import type { BuildContext } from './context.js';
import { imageFor, instanceGroup, sizeFields, withDefaultSize } from './instance-groups.js';
import type { ClusterNetwork } from './network.js';

type Obj = Record<string, unknown>;

/** Trims the shared prefix of zone-based names, as kops names etcd members ("us-test-1a" -> "a"). */
export function trimCommonPrefix(input: readonly string[]): string[] {
  const names = [...input];
  while (names.length > 0 && (names[0]?.length ?? 0) > 1) {
    const prefix = names[0]?.charAt(0) ?? '';
    if (!names.every((n) => n.startsWith(prefix))) break;
    for (let i = 0; i < names.length; i++) names[i] = (names[i] ?? '').slice(1);
  }
  return names.map((n) => (/^[0-9]/.test(n) ? `etcd-${n}` : n));
}

function controlPlaneCount(ctx: BuildContext): { count: number; zones: string[] } {
  const { options } = ctx;
  const explicit = options.controlPlaneCount ?? 0;
  if (options.controlPlaneZones?.length) {
    if (explicit !== 0 && explicit < options.controlPlaneZones.length) {
      throw new StateStoreError(
        'InvalidArgument',
        `controlPlaneCount: ${options.controlPlaneZones.length} control-plane zones were given, but ${explicit} control-plane nodes; if both are given the count should match`,
      );
    }
    return { count: explicit || options.controlPlaneZones.length, zones: options.controlPlaneZones };
  }
  // 0 is Go's "unset" in kops's options struct, so it also means the default of one.
  return { count: explicit || 1, zones: ctx.zones };
}

/**
 * Control-plane groups, round-robin over their zones and suffixed when zones repeat
 * (kops: `setupControlPlane`, upup/pkg/fi/cloudup/new_cluster.go). Returns the groups and the
 * names etcd members are derived from.
 */
export function controlPlaneGroups(
  ctx: BuildContext,
  net: ClusterNetwork,
): { groups: InstanceGroupConfig[]; names: string[] } {
  const { options } = ctx;
  const { count, zones } = controlPlaneCount(ctx);
  const sizes = options.controlPlaneSizes?.length
    ? options.controlPlaneSizes
    : options.controlPlaneSize
      ? [options.controlPlaneSize]
      : [];
  const groups: InstanceGroupConfig[] = [];
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const zone = zones[i % zones.length] ?? '';
    const suffix = count > zones.length ? `-${1 + Math.floor(i / zones.length)}` : '';
    names.push(zone + suffix);
    const main = net.zoneSubnets.get(zone)?.[0] ?? zone;
    const spec: Obj = {
      image: imageFor(ctx, options.controlPlaneImage, sizes[0]),
      ...sizeFields(sizes, ctx.cloud === 'aws'),
      maxSize: 1,
      minSize: 1,
      role: 'Master',
      subnets: [ctx.ipv6 && ctx.topology === 'private' ? `dualstack-${main}` : main],
    };
    if (ctx.cloud === 'gce' || ctx.cloud === 'azure') spec.zones = [zone];
    groups.push(
      instanceGroup(ctx.name, `control-plane-${zone}${suffix}`, withDefaultSize(ctx, net, 'controlPlane', spec)),
    );
  }
  return { groups, names };
}

/**
 * `spec.etcdClusters`: one per `--etcd-clusters` name (plus "cilium" for `cilium-etcd`), a member
 * on every control-plane group, encrypted by default on AWS (kops: `createEtcdCluster`).
 */
export function etcdClusters(ctx: BuildContext, controlPlaneNames: readonly string[], extraCluster?: string): Obj[] {
  const { options } = ctx;
  const encrypted = options.encryptEtcdStorage ?? ctx.cloud === 'aws';
  const memberNames = trimCommonPrefix(controlPlaneNames);
  const names = [
    ...(options.etcdClusters?.length ? options.etcdClusters : ['main', 'events']),
    ...(extraCluster ? [extraCluster] : []),
  ];
  return names.map((etcd) => ({
    cpuRequest: etcd === 'main' ? '200m' : '100m',
    etcdMembers: controlPlaneNames.map((n, i) => ({
      ...(encrypted ? { encryptedVolume: true } : {}),
      instanceGroup: `control-plane-${n}`,
      name: memberNames[i],
      ...(options.etcdStorageType ? { volumeType: options.etcdStorageType } : {}),
    })),
    manager: { backupRetentionDays: 90 },
    memoryRequest: '100Mi',
    name: etcd,
  }));
}
