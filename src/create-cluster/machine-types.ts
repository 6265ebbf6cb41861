import { StateStoreError } from '../errors.js';
import type { BuildContext } from './context.js';

/** The roles kops picks a default machine type for. */
export type SizedRole = 'controlPlane' | 'apiServer' | 'node' | 'bastion';

// Fixed defaults (kops: populate_instancegroup_spec.go). On GCE and Azure an API-server-only
// group matches neither the control-plane nor the node case, so kops leaves it without a type.
const FIXED: Record<string, Partial<Record<SizedRole, string>>> = {
  gce: { controlPlane: 'e2-medium', node: 'e2-medium', bastion: 'e2-micro' },
  digitalocean: { controlPlane: 's-2vcpu-4gb-amd', node: 's-2vcpu-4gb-amd' },
  azure: { controlPlane: 'Standard_B2s', node: 'Standard_B2s', bastion: 'Standard_B2s' },
  hetzner: { controlPlane: 'cx23', node: 'cx23', bastion: 'cx23' },
  scaleway: { controlPlane: 'DEV1-M', node: 'DEV1-M' },
  linode: { controlPlane: 'g6-standard-2', node: 'g6-standard-2', bastion: 'g6-standard-1' },
};

// kops: awsup `DefaultInstanceType` (upup/pkg/fi/cloudup/awsup/aws_cloud.go), in preference order.
const AWS_CANDIDATES = {
  large: ['t3.medium', 'c5.large', 'c4.large', 't4g.medium'],
  bastion: ['t3.micro', 't2.micro', 't4g.micro'],
};

function awsDefault(ctx: BuildContext, role: SizedRole, zones: readonly string[], image: string | undefined): string {
  const facts = ctx.facts;
  const answered = facts?.defaultMachineTypes?.[role];
  if (answered) return answered;
  // kops matches t4g types to arm64 images and the others to the rest; unknown images count as x86_64.
  const arm = (image && facts?.images?.[image]?.architecture) === 'arm64';
  const candidates = (role === 'bastion' ? AWS_CANDIDATES.bastion : AWS_CANDIDATES.large).filter(
    (t) => t.startsWith('t4g') === arm,
  );
  const offerings = facts?.instanceTypeZones;
  // Without the region's offerings the first preference is taken, as kops would where it is offered.
  if (!offerings) return candidates[0] ?? '';
  const found = candidates.find((t) => zones.every((z) => offerings[t]?.includes(z)));
  if (!found) {
    throw new StateStoreError(
      'InvalidArgument',
      `no default machine type for ${role} is offered in all of ${zones.join(', ')} (candidates ${candidates.join(', ')}); give its sizes`,
    );
  }
  return found;
}

// kops: openstack `defaultInstanceType` (upup/pkg/fi/cloudup/openstack/utils.go): the smallest
// flavor by vCPUs then RAM that has at least 1 GiB and meets the role's needs.
function openstackDefault(ctx: BuildContext, role: SizedRole): string {
  if (role === 'apiServer')
    throw new StateStoreError(
      'InvalidArgument',
      'OpenStack has no default machine type for API server groups: give apiServerSizes',
    );
  const flavors = ctx.facts?.flavors;
  if (!flavors)
    throw new StateStoreError(
      'InvalidArgument',
      `OpenStack picks the ${role} machine type from the cloud's flavors: give its sizes or cloudFacts.flavors`,
    );
  const needs =
    role === 'bastion' ? { ram: 1024, vcpus: 0 } : role === 'node' ? { ram: 4096, vcpus: 2 } : { ram: 4096, vcpus: 1 };
  const fit = flavors
    .filter((f) => f.ram >= 1024 && f.ram >= needs.ram && f.vcpus >= needs.vcpus)
    .sort((a, b) => a.vcpus - b.vcpus || a.ram - b.ram)[0];
  if (!fit)
    throw new StateStoreError('InvalidArgument', `no suitable OpenStack flavor for ${role} in cloudFacts.flavors`);
  return fit.name;
}

/**
 * The machine type kops gives a group that asked for none (kops: `defaultMachineType`,
 * upup/pkg/fi/cloudup/populate_instancegroup_spec.go). `zones` are the group's zones (AWS picks a
 * type offered in all of them) and `image` its image (AWS matches the architecture).
 */
export function defaultMachineType(
  ctx: BuildContext,
  role: SizedRole,
  zones: readonly string[],
  image?: string,
): string | undefined {
  if (ctx.cloud === 'aws') return awsDefault(ctx, role, zones, image);
  if (ctx.cloud === 'openstack') return openstackDefault(ctx, role);
  return FIXED[ctx.cloud]?.[role];
}
