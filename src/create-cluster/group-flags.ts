import type { InstanceGroupConfig } from '../config/schema/index.js';
import type { CreateClusterOptions } from './options.js';

type Obj = Record<string, unknown>;

function specOf(group: InstanceGroupConfig): Obj {
  return (group as unknown as { spec: Obj }).spec;
}

/**
 * The instance-group flags kops applies after `NewCluster` (kops: `RunCreateCluster`,
 * cmd/kops/create_cluster.go): `--associate-public-ip` on every group; tenancy, extra security
 * groups and root volumes on the control-plane (`Master`) or worker (`Node`) groups.
 */
export function applyGroupFlags(options: CreateClusterOptions, groups: readonly InstanceGroupConfig[]): void {
  for (const group of groups) {
    const spec = specOf(group);
    if (options.associatePublicIP !== undefined) spec.associatePublicIp = options.associatePublicIP;
    const isControlPlane = spec.role === 'Master';
    const isNode = spec.role === 'Node';
    if (!isControlPlane && !isNode) continue;
    const tenancy = isControlPlane ? options.controlPlaneTenancy : options.nodeTenancy;
    const securityGroups = isControlPlane ? options.controlPlaneSecurityGroups : options.nodeSecurityGroups;
    const volumeSize = isControlPlane ? options.controlPlaneVolumeSize : options.nodeVolumeSize;
    const volumeType = isControlPlane ? options.controlPlaneVolumeType : options.nodeVolumeType;
    if (tenancy) spec.tenancy = tenancy;
    if (securityGroups?.length) spec.additionalSecurityGroups = [...securityGroups];
    if (volumeSize) spec.rootVolumeSize = volumeSize;
    if (volumeType) spec.rootVolumeType = volumeType;
  }
}
