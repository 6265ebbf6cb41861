// kops pkg/apis/kops/validation/instancegroup.go (@268927e, Apache-2.0, Copyright The
// Kubernetes Authors): ValidateInstanceGroup, CrossValidateInstanceGroup and what they call, in
// Go's order, over the internal views of spec.ts (`g`: internalInstanceGroup, `cluster`:
// internalCluster). Not ported: instancegroup.go:40 ValidateInstanceGroupName (src/store/names.ts
// checks group names), and gce.go's gceValidateInstanceGroup (instancegroup.go:190); aws.go's
// awsValidateInstanceGroup (188) runs in crossInstanceGroupRules, where the cloud is known.
// Rules (error constructors and IsValidValue calls), with instancegroup-rules.ts: 57 of 59 (43 and 47,
// ValidateInstanceGroupName's), plus cluster.go:142 and 154 (validateCloudLabels, which
// validateIGCloudLabels calls).
import {
  append,
  duplicate,
  forbidden,
  invalid,
  notFound,
  notSupported,
  required,
  type ErrorList,
} from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { ALL_INSTANCE_GROUP_ROLES, getCloudProvider, isValidValue, usesNoneDNS } from './helpers.js';
import { View } from './spec.js';
import { awsValidateInstanceGroup, type AwsCloudLookup } from './aws-instancegroup.js';
import type { SkippedRule } from './source.js';
import { validateFileAssetSpec, validateHookSpec } from './validation-components.js';
import { validateContainerdConfig, validateRollingUpdate } from './validation-addons.js';
import {
  validateControlPlaneInstanceGroup,
  validateExternalLoadBalancer,
  validateExtraUserData,
  validateIGCloudLabels,
  validateInstanceProfile,
  validateKarpenterInstanceGroup,
  validateNodeLabels,
} from './instancegroup-rules.js';

const spec = (...names: string[]) => FieldPath.of('spec', ...names);

// kops instancegroup.go:53 ValidateInstanceGroup
export function validateInstanceGroup(g: View, strict: boolean): ErrorList {
  const allErrs: ErrorList = [];
  if (g.get('metadata', 'name').str() === '')
    allErrs.push(required(FieldPath.of('objectMeta', 'name'), '', 'instancegroup.go:57'));
  append(allErrs, validateRole(g));
  const s = g.get('spec');
  const tenancy = s.get('tenancy').str();
  // aws-sdk-go-v2 ec2types.Tenancy("").Values()
  if (tenancy !== '')
    append(allErrs, isValidValue(spec('tenancy'), tenancy, ['default', 'dedicated', 'host'], 'instancegroup.go:86'));
  const maxSize = s.get('maxSize').num();
  const minSize = s.get('minSize').num();
  if (strict && s.get('manager').str() === 'CloudGroup') {
    if (maxSize === undefined) allErrs.push(forbidden(spec('maxSize'), 'maxSize must be set', 'instancegroup.go:91'));
    if (minSize === undefined) allErrs.push(forbidden(spec('minSize'), 'minSize must be set', 'instancegroup.go:94'));
  }
  if (maxSize !== undefined && minSize !== undefined && maxSize < minSize)
    allErrs.push(
      forbidden(spec('maxSize'), 'maxSize must be greater than or equal to minSize.', 'instancegroup.go:100'),
    );
  if (s.get('containerd', 'gvisor', 'enabled').bool() === true && s.get('role').str() !== 'Node') {
    const detail = 'gVisor can only be enabled on instance groups with role Node';
    allErrs.push(forbidden(spec('containerd', 'gvisor'), detail, 'instancegroup.go:105'));
  }
  if (strict && s.get('image').str() === '')
    allErrs.push(forbidden(spec('image'), 'image must be specified.', 'instancegroup.go:109'));
  const rootVolume = s.get('rootVolume');
  const iops = rootVolume.get('iops').num();
  if (iops !== undefined && iops < 0)
    allErrs.push(invalid(spec('rootVolume', 'iops'), iops, 'IOPS must be greater than 0', 'instancegroup.go:114'));
  const throughput = rootVolume.get('throughput').num();
  if (throughput !== undefined && throughput < 0)
    allErrs.push(
      invalid(
        spec('rootVolume', 'throughput'),
        throughput,
        'Throughput must be greater than 0',
        'instancegroup.go:118',
      ),
    );
  s.get('hooks')
    .list()
    .forEach((hook, i) => append(allErrs, validateHookSpec(hook, spec('hooks').index(i))));
  s.get('fileAssets')
    .list()
    .forEach((asset, i) => append(allErrs, validateFileAssetSpec(asset, spec('fileAssets').index(i))));
  for (const userData of s.get('additionalUserData').list()) append(allErrs, validateExtraUserData(userData));
  append(allErrs, validateVolumes(s));
  append(allErrs, validateInstanceGroupTail(g, s));
  return allErrs;
}

// instancegroup.go:60-82: the role.
function validateRole(g: View): ErrorList {
  const s = g.get('spec');
  const role = s.get('role').str();
  switch (role) {
    case '':
      return [required(spec('role'), 'Role must be set', 'instancegroup.go:62')];
    case 'ControlPlane': {
      const allErrs: ErrorList = [];
      if (s.get('subnets').length === 0)
        allErrs.push(
          required(
            spec('subnets'),
            'controlPlane InstanceGroup must specify at least one Subnet',
            'instancegroup.go:65',
          ),
        );
      const minSize = s.get('minSize').num() ?? 0;
      if (minSize > 1)
        allErrs.push(
          invalid(
            spec('minSize'),
            minSize,
            'controlPlane InstanceGroup must have minSize set to 1',
            'instancegroup.go:68',
          ),
        );
      const maxSize = s.get('maxSize').num() ?? 0;
      if (maxSize > 1) {
        const detail = 'controlPlane InstanceGroup must have maxSize set to 1, add more InstanceGroups instead';
        allErrs.push(invalid(spec('maxSize'), maxSize, detail, 'instancegroup.go:71'));
      }
      return allErrs;
    }
    case 'Node':
    case 'Bastion':
    case 'APIServer':
      return [];
    default:
      return [notSupported(spec('role'), role, ALL_INSTANCE_GROUP_ROLES, 'instancegroup.go:81')];
  }
}

// instancegroup.go:136-163: volumes and volume mounts. kops makes the seen-set inside each
// iteration, so its duplicate checks never fire; so it is here.
function validateVolumes(s: View): ErrorList {
  const allErrs: ErrorList = [];
  s.get('volumes')
    .list()
    .forEach((x, i) => {
      const devices = new Set<string>();
      const path = spec('volumes').index(i);
      append(allErrs, validateVolumeSpec(path, x));
      if (devices.has(x.get('device').str()))
        allErrs.push(duplicate(path.child('device'), x.get('device').str(), 'instancegroup.go:145'));
      devices.add(x.get('device').str());
    });
  s.get('volumeMounts')
    .list()
    .forEach((x, i) => {
      const used = new Set<string>();
      const path = spec('volumeMounts').index(i);
      append(allErrs, validateVolumeMountSpec(path, x));
      if (used.has(x.get('device').str()))
        allErrs.push(duplicate(path.child('device'), x.get('device').str(), 'instancegroup.go:158'));
      if (used.has(x.get('path').str()))
        allErrs.push(duplicate(path.child('path'), x.get('path').str(), 'instancegroup.go:161'));
    });
  return allErrs;
}

// instancegroup.go:165-214: IAM profile, sysctls, rolling update, labels, load balancers, update policy, taints.
function validateInstanceGroupTail(g: View, s: View): ErrorList {
  const allErrs: ErrorList = [...validateInstanceProfile(s.get('iam'), spec('iam'))];
  s.get('sysctlParameters')
    .strings()
    .forEach((parameter, i) => {
      if (!parameter.includes('='))
        allErrs.push(
          invalid(spec('sysctlParameters').index(i), parameter, 'must contain a "=" character', 'instancegroup.go:169'),
        );
    });
  if (s.get('rollingUpdate').present)
    append(
      allErrs,
      validateRollingUpdate(s.get('rollingUpdate'), spec('rollingUpdate'), s.get('role').str() === 'ControlPlane'),
    );
  if (s.get('nodeLabels').present) append(allErrs, validateNodeLabels(s.get('nodeLabels'), spec('nodeLabels')));
  if (s.get('cloudLabels').present) append(allErrs, validateIGCloudLabels(g, spec('cloudLabels')));
  // instancegroup.go:185-192: aws.go / gce.go, run by crossInstanceGroupRules with the cluster's cloud.
  s.get('externalLoadBalancers')
    .list()
    .forEach((lb, i) => append(allErrs, validateExternalLoadBalancer(lb, spec('externalLoadBalancers').index(i))));
  append(
    allErrs,
    isValidValue(
      spec('updatePolicy'),
      s.get('updatePolicy').optStr(),
      ['automatic', 'external'],
      'instancegroup.go:200',
    ),
  );
  const taintKeys = new Set<string>();
  s.get('taints')
    .strings()
    .forEach((taint, i) => {
      const path = spec('taints').index(i);
      if (!isValidTaint(taint)) allErrs.push(invalid(path, taint, 'invalid taint value', 'instancegroup.go:207'));
      if (taintKeys.has(taint)) allErrs.push(duplicate(path, taint, 'instancegroup.go:210'));
      else taintKeys.add(taint);
    });
  return allErrs;
}

/** kops pkg/apis/kops/util/taints.go ParseTaint succeeds. */
function isValidTaint(taint: string): boolean {
  const parts = taint.split(':');
  return parts.length === 1 || (parts.length === 2 && parts[0]!.split('=').length <= 2);
}

// kops instancegroup.go:220 validateVolumeSpec
function validateVolumeSpec(path: FieldPath, v: View): ErrorList {
  const allErrs: ErrorList = [];
  if (v.get('device').str() === '')
    allErrs.push(required(path.child('device'), 'device name required', 'instancegroup.go:224'));
  const size = v.get('size').num() ?? 0;
  if (size <= 0) allErrs.push(invalid(path.child('size'), size, 'must be greater than zero', 'instancegroup.go:227'));
  return allErrs;
}

// kops instancegroup.go:234 validateVolumeMountSpec
function validateVolumeMountSpec(path: FieldPath, v: View): ErrorList {
  const allErrs: ErrorList = [];
  if (v.get('device').str() === '')
    allErrs.push(required(path.child('device'), 'device name required', 'instancegroup.go:238'));
  const filesystem = v.get('filesystem').str();
  if (filesystem === '')
    allErrs.push(required(path.child('filesystem'), 'filesystem type required', 'instancegroup.go:241'));
  if (v.get('path').str() === '')
    allErrs.push(required(path.child('path'), 'mount path required', 'instancegroup.go:244'));
  append(allErrs, isValidValue(path.child('filesystem'), filesystem, ['btfs', 'ext4', 'xfs'], 'instancegroup.go:246'));
  return allErrs;
}

// kops instancegroup.go:253 CrossValidateInstanceGroup
export function crossValidateInstanceGroup(g: View, cluster: View, strict: boolean, aws?: AwsCloudLookup): ErrorList {
  return [...validateInstanceGroup(g, strict), ...crossInstanceGroupRules(g, cluster, aws)];
}

/**
 * instancegroup.go:256-319: CrossValidateInstanceGroup's rules after ValidateInstanceGroup's; first
 * the cloud's rules ValidateInstanceGroup runs when kops hands it a cloud (185-192), as every
 * kops command that cross-validates does: the cluster's cloud provider stands for the cloud.
 */
export function crossInstanceGroupRules(
  g: View,
  cluster: View,
  aws?: AwsCloudLookup,
  skipped?: SkippedRule[],
): ErrorList {
  const allErrs: ErrorList = [];
  const s = g.get('spec');
  const role = s.get('role').str();
  const cloud = getCloudProvider(cluster);
  if (cloud === 'aws') append(allErrs, awsValidateInstanceGroup(g, aws, skipped)); // instancegroup.go:188
  if (role === 'ControlPlane') append(allErrs, validateControlPlaneInstanceGroup(g, cluster));
  if (role === 'APIServer') {
    if (cloud === 'aws' && usesNoneDNS(cluster))
      allErrs.push(
        forbidden(spec('role'), 'APIServer cannot be used with topology.dns.type=None', 'instancegroup.go:267'),
      );
    else if (cloud !== 'aws' && cloud !== 'gce')
      allErrs.push(forbidden(spec('role'), 'APIServer role only supported on AWS and GCE', 'instancegroup.go:270'));
  }
  // Check that instance groups are defined in subnets that are defined in the cluster
  const clusterSubnets = new Set(
    cluster
      .get('spec', 'networking', 'subnets')
      .list()
      .map((x) => x.get('name').str()),
  );
  s.get('subnets')
    .strings()
    .forEach((z, i) => {
      if (!clusterSubnets.has(z))
        allErrs.push(notFound(spec('networking', 'subnets').index(i), z, 'instancegroup.go:284'));
    });
  if (cloud === 'aws') append(allErrs, validateAWSInstanceGroupInCluster(g, cluster));
  append(allErrs, validateKarpenterInstanceGroup(g, cluster));
  if (s.get('containerd').present)
    append(allErrs, validateContainerdConfig(cluster, s.get('containerd'), spec('containerd'), false));
  return allErrs;
}

// instancegroup.go:289-313: root volume type and warm pool on AWS.
function validateAWSInstanceGroupInCluster(g: View, cluster: View): ErrorList {
  const allErrs: ErrorList = [];
  const s = g.get('spec');
  const role = s.get('role').str();
  const type = s.get('rootVolume', 'type').optStr();
  if (type !== undefined)
    append(
      allErrs,
      isValidValue(spec('rootVolume', 'type'), type, ['standard', 'gp3', 'gp2', 'io1', 'io2'], 'instancegroup.go:291'),
    );
  const warmPool = resolveWarmPool(cluster.get('spec', 'cloudProvider', 'aws', 'warmPool'), g);
  const maxSize = warmPool.get('maxSize').num();
  const minSize = warmPool.get('minSize').num() ?? 0;
  if (maxSize === undefined || maxSize !== 0) {
    if (role !== 'Node' && role !== 'APIServer') {
      const detail = 'warm pool only allowed on instance groups with role Node or APIServer';
      allErrs.push(forbidden(spec('warmPool'), detail, 'instancegroup.go:297'));
    }
    if (s.get('maxPrice').present)
      allErrs.push(forbidden(spec('warmPool'), 'warm pool cannot be used with spot instances', 'instancegroup.go:300'));
  }
  if (maxSize !== undefined) {
    if (maxSize < 0)
      allErrs.push(
        invalid(spec('warmPool', 'maxSize'), maxSize, 'warm pool maxSize cannot be negative', 'instancegroup.go:305'),
      );
    else if (minSize > maxSize) {
      const detail = 'warm pool maxSize cannot be set to lower than minSize';
      allErrs.push(invalid(spec('warmPool', 'maxSize'), maxSize, detail, 'instancegroup.go:307'));
    }
  }
  if (minSize < 0)
    allErrs.push(
      invalid(spec('warmPool', 'minSize'), minSize, 'warm pool minSize cannot be negative', 'instancegroup.go:311'),
    );
  return allErrs;
}

/** kops cluster.go `WarmPoolSpec.ResolveDefaults`: the group's warm pool over the cluster's. */
function resolveWarmPool(clusterPool: View, g: View): View {
  const igPool = g.get('spec', 'warmPool');
  const role = g.get('spec', 'role').str();
  const noDefault = !clusterPool.present || role === 'ControlPlane' || role === 'Bastion';
  if (!igPool.present) return noDefault ? new View({ maxSize: 0 }) : clusterPool;
  if (noDefault) return igPool;
  const merged: Record<string, unknown> = { ...(igPool.value as Record<string, unknown>) };
  if (merged.maxSize === undefined && clusterPool.get('maxSize').present)
    merged.maxSize = clusterPool.get('maxSize').value;
  if ((merged.minSize ?? 0) === 0 && clusterPool.get('minSize').present)
    merged.minSize = clusterPool.get('minSize').value;
  return new View(merged);
}
