// kops instancegroup.go (@268927e) 324-542 and cluster.go 129-160: Karpenter groups, the
// control plane's etcd members, extra user data, the IAM profile, labels and external load
// balancers. Counted with instancegroup.ts.
import { append, forbidden, invalid, required, tooMany, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { parseArnResource } from './go-values.js';
import { getCloudProvider, isValidValue } from './helpers.js';
import type { View } from './spec.js';

const spec = (...names: string[]) => FieldPath.of('spec', ...names);

// kops instancegroup.go:324 validateKarpenterInstanceGroup
export function validateKarpenterInstanceGroup(g: View, cluster: View): ErrorList {
  const s = g.get('spec');
  if (s.get('manager').str() !== 'Karpenter') return [];
  const allErrs: ErrorList = [];
  if (getCloudProvider(cluster) !== 'aws')
    allErrs.push(
      forbidden(spec('manager'), 'Karpenter InstanceGroups are only supported on AWS', 'instancegroup.go:331'),
    );
  if (s.get('role').str() !== 'Node')
    allErrs.push(forbidden(spec('role'), 'Karpenter InstanceGroups must have role Node', 'instancegroup.go:334'));
  const maxSize = s.get('maxSize').num();
  if (maxSize !== undefined && maxSize <= 0)
    allErrs.push(invalid(spec('maxSize'), maxSize, 'must be greater than zero', 'instancegroup.go:337'));
  append(allErrs, validateKarpenterAMISelectorImage(s.get('image').str(), spec('image')));
  append(allErrs, validateKarpenterStaticCapacity(g, cluster));
  return allErrs;
}

// kops instancegroup.go:344 validateKarpenterStaticCapacity
function validateKarpenterStaticCapacity(g: View, cluster: View): ErrorList {
  const minSize = g.get('spec', 'minSize').num();
  if (minSize === undefined) return [];
  if (minSize <= 0)
    return [invalid(spec('minSize'), minSize, 'must be greater than zero for static capacity', 'instancegroup.go:351')];
  if (!karpenterStaticCapacityEnabled(cluster)) {
    const detail = 'static capacity requires StaticCapacity=true in cluster.spec.karpenter.featureGates';
    return [forbidden(spec('minSize'), detail, 'instancegroup.go:354')];
  }
  return [];
}

// kops instancegroup.go:359 karpenterStaticCapacityEnabled
function karpenterStaticCapacityEnabled(cluster: View): boolean {
  const gates = cluster.get('spec', 'karpenter', 'featureGates').str();
  if (gates === '') return true;
  let enabled = false;
  for (const gate of gates.split(',')) {
    const eq = gate.indexOf('=');
    if (eq < 0 || gate.slice(0, eq).trim() !== 'StaticCapacity') continue;
    enabled =
      gate
        .slice(eq + 1)
        .trim()
        .toLowerCase() === 'true';
  }
  return enabled;
}

// kops instancegroup.go:375 validateKarpenterAMISelectorImage
function validateKarpenterAMISelectorImage(raw: string, fldPath: FieldPath): ErrorList {
  const image = raw.trim();
  const shape = 'must be ami-*, ssm:<parameter>, <name>, or <owner>/<name>';
  if (image === '' || image.startsWith('ami-')) return [];
  if (image.includes('://')) return [invalid(fldPath, image, shape, 'instancegroup.go:382')];
  if (image.startsWith('ssm:'))
    return image === 'ssm:' ? [invalid(fldPath, image, 'ssm image parameter is required', 'instancegroup.go:389')] : [];
  const slash = image.indexOf('/');
  if (slash >= 0 && (slash === 0 || slash === image.length - 1))
    return [invalid(fldPath, image, shape, 'instancegroup.go:396')];
  return [];
}

// kops instancegroup.go:401 ValidateControlPlaneInstanceGroup
export function validateControlPlaneInstanceGroup(g: View, cluster: View): ErrorList {
  const allErrs: ErrorList = [];
  const name = g.get('metadata', 'name').str();
  for (const etcd of cluster.get('spec', 'etcdClusters').list()) {
    let last = '';
    const members = etcd.get('etcdMembers').list();
    const hasEtcd = members.some((m) => {
      if (m.get('instanceGroup').str() === name) return true;
      last = m.get('instanceGroup').str();
      return false;
    });
    if (!hasEtcd) {
      const detail = `InstanceGroup "${name}" with role ControlPlane must have a member in etcd (IG: "${last}") cluster "${etcd.get('name').str()}"`;
      allErrs.push(forbidden(spec('metadata', 'name'), detail, 'instancegroup.go:415'));
    }
  }
  return allErrs;
}

const VALID_USER_DATA_TYPES = [
  'text/x-include-once-url',
  'text/x-include-url',
  'text/cloud-config-archive',
  'text/upstart-job',
  'text/cloud-config',
  'text/part-handler',
  'text/x-shellscript',
  'text/cloud-boothook',
];

// kops instancegroup.go:432 validateExtraUserData
export function validateExtraUserData(userData: View): ErrorList {
  const allErrs: ErrorList = [];
  const fieldPath = FieldPath.of('additionalUserData');
  if (userData.get('name').str() === '')
    allErrs.push(required(fieldPath.child('name'), 'field must be set', 'instancegroup.go:437'));
  if (userData.get('content').str() === '')
    allErrs.push(required(fieldPath.child('content'), 'field must be set', 'instancegroup.go:441'));
  append(
    allErrs,
    isValidValue(fieldPath.child('type'), userData.get('type').str(), VALID_USER_DATA_TYPES, 'instancegroup.go:444'),
  );
  return allErrs;
}

// kops instancegroup.go:450 validateInstanceProfile
export function validateInstanceProfile(v: View, fldPath: FieldPath): ErrorList {
  const profile = v.get('profile').optStr();
  if (profile === undefined) return [];
  const parsed = parseArnResource(profile);
  if (!('error' in parsed) && parsed.resource.startsWith('instance-profile/')) return [];
  const detail =
    'Instance Group IAM Instance Profile must be a valid aws arn such as arn:aws:iam::123456789012:instance-profile/KopsExampleRole';
  return [invalid(fldPath.child('profile'), profile, detail, 'instancegroup.go:457')];
}

// kops instancegroup.go:464 validateNodeLabels
export function validateNodeLabels(labels: View, fldPath: FieldPath): ErrorList {
  return labels
    .entries()
    .filter(([key]) => key.split('/').length - 1 > 1)
    .map(([key]) => invalid(fldPath, key, 'Node label may only contain a single slash', 'instancegroup.go:467'));
}

// kops instancegroup.go:473 validateIGCloudLabels
export function validateIGCloudLabels(ig: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const generic: string[] = [];
  for (const [key, value] of ig.get('spec', 'cloudLabels').entries()) {
    if (key === 'kops.k8s.io/instancegroup') {
      if (value.str() !== ig.get('metadata', 'name').str())
        allErrs.push(invalid(fldPath.child(key), key, 'value must match instance group name', 'instancegroup.go:484'));
    } else generic.push(key);
  }
  append(allErrs, validateCloudLabels(generic, fldPath));
  return allErrs;
}

// kops cluster.go:129 validateCloudLabels (keys only: kops reads no value)
export function validateCloudLabels(keys: string[], fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  for (const reserved of ['Name', 'KubernetesCluster'])
    if (keys.includes(reserved))
      allErrs.push(
        forbidden(
          fldPath.child(reserved),
          `"${reserved}" is a reserved label and cannot be used as a custom label`,
          'cluster.go:142',
        ),
      );
  for (const prefix of ['kubernetes.io/cluster/', 'k8s.io/role/', 'kops.k8s.io/'])
    for (const label of keys)
      if (label.startsWith(prefix))
        allErrs.push(
          forbidden(
            fldPath.child(label),
            `"${prefix}" is a reserved label prefix and cannot be used as a custom label`,
            'cluster.go:154',
          ),
        );
  return allErrs;
}

// kops instancegroup.go:496 validateExternalLoadBalancer
export function validateExternalLoadBalancer(lb: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const name = lb.get('loadBalancerName').optStr();
  const arn = lb.get('targetGroupARN').optStr();
  if (name !== undefined && arn !== undefined) allErrs.push(tooMany(fldPath, 2, 1, 'instancegroup.go:500'));
  if (name !== undefined && name.length > 32) {
    const detail = 'Load Balancer name must have at most 32 characters';
    allErrs.push(invalid(fldPath.child('loadBalancerName'), name, detail, 'instancegroup.go:506'));
  }
  if (arn === undefined) return allErrs;
  const parsed = parseArnResource(arn);
  const path = fldPath.child('targetGroupARN');
  if ('error' in parsed)
    return [
      ...allErrs,
      invalid(path, arn, `Target Group ARN must be a valid AWS ARN: ${parsed.error}`, 'instancegroup.go:516'),
    ];
  const resource = parsed.resource.split('/');
  if (resource.length !== 3) {
    const detail =
      'Target Group ARN resource must be a valid AWS ARN resource such as "targetgroup/tg-name/1234567890123456"';
    return [...allErrs, invalid(path, arn, detail, 'instancegroup.go:523')];
  }
  if (resource[0] !== 'targetgroup')
    allErrs.push(
      invalid(path, resource[0], 'Target Group ARN resource type must be "targetgroup"', 'instancegroup.go:530'),
    );
  if (resource[1]!.length > 32)
    allErrs.push(
      invalid(
        path,
        resource[1],
        'Target Group ARN resource name must have at most 32 characters',
        'instancegroup.go:536',
      ),
    );
  return allErrs;
}
