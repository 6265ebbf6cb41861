import { StateStoreError } from '../errors.js';
import type { CloudFacts } from './cloud-facts.js';

/** A CPU architecture as kops's release channels name it. */
export type Architecture = 'amd64' | 'arm64';

// AWS Graviton families: a1, and a generation digit followed by "g" (m6g, c7gn, r8gd, t4g,
// im4gn, is4gen, x2gd, hpc7g, g5g). No x86 family has a "g" right after its generation digit.
const GRAVITON = /^(a1|[a-z]+\d+g[a-z0-9-]*)\./;

/**
 * The architecture kops picks a machine type's default image for (kops: `MachineArchitecture`,
 * upup/pkg/fi/cloudup/new_cluster.go). On AWS kops asks EC2 which architectures the type
 * supports and takes the first of x86_64 and arm64; other clouds are always amd64, as is an
 * unset machine type (kops defaults the type only after choosing the image).
 */
export function machineArchitecture(cloud: string, machineType: string | undefined, facts?: CloudFacts): Architecture {
  if (!machineType || cloud !== 'aws') return 'amd64';
  const known = facts?.machineTypes?.[machineType];
  if (!known) return GRAVITON.test(machineType) ? 'arm64' : 'amd64';
  for (const arch of known.architectures) {
    if (arch === 'x86_64') return 'amd64';
    if (arch === 'arm64') return 'arm64';
  }
  throw new StateStoreError(
    'InvalidArgument',
    `unsupported architecture for instance type ${JSON.stringify(machineType)}: ${known.architectures.join(', ')}`,
  );
}
