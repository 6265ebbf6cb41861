// kops pkg/apis/kops/validation/aws.go (@268927e, Apache-2.0, Copyright The Kubernetes Authors)
// 129-342 and 425-430: awsValidateInstanceGroup and what it calls, in Go's order, over the
// internal view of spec.ts. Counted with aws.ts. The rules asking EC2 (236, 245, 264, 297, 311,
// 315) take an AwsCloudLookup; without one they are skipped, and so is a value it does not know:
// each skip is noted in the `skipped` log (source.ts), with the fact that would let it run.
import { append, forbidden, goQuote, invalid, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { formatGoDuration, parseGoDuration } from './go-values.js';
import { isValidValue } from './helpers.js';
import type { View } from './spec.js';
import { awsValidateAdditionalSecurityGroups } from './aws.js';
import { noteSkipped, type SkippedRule } from './source.js';

/** An instance type as kops reads it from EC2 `DescribeInstanceTypes` (awsup `GetMachineTypeInfo`). */
export interface AwsInstanceTypeInfo {
  /** `ProcessorInfo.SupportedArchitectures`, in EC2's order (`x86_64`, `arm64`, `i386`). */
  architectures: readonly string[];
  /** Whether EC2 reports `GpuInfo` for the type; undefined when not known (the GPU rule, aws.go:315, is skipped). */
  gpu?: boolean;
}

/**
 * What aws.go asks a live AWS cloud (awsup.AWSCloud), answered by the caller: nothing here does
 * I/O. `{ error }` is the cloud's refusal (kops reports it); `undefined`, an answer not known,
 * skips the rules that need it.
 */
export interface AwsCloudLookup {
  /** `ResolveImage`: the image's architecture (`x86_64`, `arm64`). */
  resolveImage(image: string): { architecture: string } | { error: string } | undefined;
  /** `DescribeInstanceType`. */
  describeInstanceType(instanceType: string): AwsInstanceTypeInfo | { error: string } | undefined;
}

const SPOT_DURATIONS = ['60', '120', '180', '240', '300', '360'];
// aws-sdk-go-v2 ec2types.InstanceInterruptionBehavior("").Values()
const INTERRUPTION_BEHAVIORS = ['hibernate', 'stop', 'terminate'];
// kops instancegroup.go:258 SpotAllocationStrategies
const SPOT_ALLOCATION_STRATEGIES = [
  'lowest-price',
  'diversified',
  'capacity-optimized',
  'capacity-optimized-prioritized',
  'price-capacity-optimized',
];

/** Why a rule asking EC2 did not run: no lookup at all. */
const NO_CLOUD =
  'needs EC2 (ResolveImage, DescribeInstanceTypes): no cloud facts given (CloudFacts.images, CloudFacts.machineTypes)';
const unknownImage = (image: string) => `needs EC2's ResolveImage of image ${goQuote(image)}: not in CloudFacts.images`;
const unknownType = (type: string) =>
  `needs EC2's DescribeInstanceTypes of machine type ${goQuote(type)}: not in CloudFacts.machineTypes`;
const unknownGpu = (type: string) =>
  `needs whether machine type ${goQuote(type)} has a GPU (DescribeInstanceTypes): CloudFacts.machineTypes[${goQuote(type)}].gpu not given`;

// kops aws.go:129 awsValidateInstanceGroup. Some paths start with the group's name, as kops's do.
export function awsValidateInstanceGroup(ig: View, cloud?: AwsCloudLookup, skipped?: SkippedRule[]): ErrorList {
  const allErrs: ErrorList = [];
  const s = ig.get('spec');
  const named = (...names: string[]) => FieldPath.of(ig.get('metadata', 'name').str(), 'spec', ...names);
  append(
    allErrs,
    awsValidateAdditionalSecurityGroups(
      FieldPath.of('spec', 'additionalSecurityGroups'),
      s.get('additionalSecurityGroups').strings(),
    ),
  );
  const machineType = s.get('machineType').str();
  const image = s.get('image').str();
  append(
    allErrs,
    awsValidateInstanceTypeAndImage(named('machineType'), named('image'), machineType, image, cloud, skipped),
  );
  append(allErrs, awsValidateSpotDurationInMinute(named('spotDurationInMinutes'), s));
  append(allErrs, awsValidateInstanceInterruptionBehavior(named('instanceInterruptionBehavior'), s));
  if (s.get('mixedInstancesPolicy').present)
    append(
      allErrs,
      awsValidateMixedInstancesPolicy(
        FieldPath.of('spec', 'mixedInstancesPolicy'),
        s.get('mixedInstancesPolicy'),
        s,
        cloud,
        skipped,
      ),
    );
  if (s.get('instanceMetadata').present)
    append(allErrs, awsValidateInstanceMetadata(FieldPath.of('spec', 'instanceMetadata'), s.get('instanceMetadata')));
  if (s.get('cpuCredits').present)
    append(
      allErrs,
      isValidValue(
        FieldPath.of('spec', 'cpuCredits'),
        s.get('cpuCredits').optStr(),
        ['standard', 'unlimited'],
        'aws.go:428', // awsValidateCPUCredits (aws.go:425)
      ),
    );
  const lifetime = s.get('maxInstanceLifetime').optStr();
  if (lifetime !== undefined) append(allErrs, awsValidateMaximumInstanceLifetime(named(), lifetime));
  return allErrs;
}

// kops aws.go:159 awsValidateMaximumInstanceLifetime (the stored value is Go's duration text)
function awsValidateMaximumInstanceLifetime(fieldPath: FieldPath, maxInstanceLifetime: string): ErrorList {
  const minMaxInstanceLifetime = 86400;
  const seconds = parseGoDuration(maxInstanceLifetime);
  // A value that does not parse is refused by kops's decoder before validation.
  if (seconds === undefined) return [];
  const lifetimeSec = Math.trunc(seconds);
  if (lifetimeSec !== 0 && lifetimeSec < minMaxInstanceLifetime) {
    const detail = `max instance lifetime must be greater than ${minMaxInstanceLifetime} or equal to 0`;
    return [invalid(fieldPath.child('maxInstanceLifetime'), formatGoDuration(seconds), detail, 'aws.go:164')];
  }
  return [];
}

// kops aws.go:170 awsValidateInstanceMetadata
function awsValidateInstanceMetadata(fieldPath: FieldPath, instanceMetadata: View): ErrorList {
  const allErrs: ErrorList = [];
  const tokens = instanceMetadata.get('httpTokens').optStr();
  append(allErrs, isValidValue(fieldPath.child('httpTokens'), tokens, ['optional', 'required'], 'aws.go:174'));
  const hopLimit = instanceMetadata.get('httpPutResponseHopLimit').num();
  if (hopLimit !== undefined && (hopLimit < 1 || hopLimit > 64))
    allErrs.push(
      invalid(
        fieldPath.child('httpPutResponseHopLimit'),
        hopLimit,
        'HTTPPutResponseLimit must be a value between 1 and 64',
        'aws.go:180',
      ),
    );
  return allErrs;
}

// kops aws.go:227 awsValidateInstanceTypeAndImage
export function awsValidateInstanceTypeAndImage(
  instanceTypeFieldPath: FieldPath,
  imageFieldPath: FieldPath,
  instanceTypes: string,
  image: string,
  cloud: AwsCloudLookup | undefined,
  skipped?: SkippedRule[],
): ErrorList {
  if (instanceTypes === '') return [];
  const imageRules = ['aws.go:236', 'aws.go:245', 'aws.go:264'];
  if (cloud === undefined) {
    noteSkipped(skipped, imageRules, NO_CLOUD);
    return [];
  }
  const imageInfo = cloud.resolveImage(image);
  if (imageInfo === undefined) {
    noteSkipped(skipped, imageRules, unknownImage(image));
    return [];
  }
  if ('error' in imageInfo) {
    const detail = `specified image ${goQuote(image)} is invalid: ${imageInfo.error}`;
    return [invalid(imageFieldPath, image, detail, 'aws.go:236')];
  }
  const allErrs: ErrorList = [];
  const imageArch = imageInfo.architecture;
  // Spotinst uses the instance type field to keep a "," separated list of instance types
  for (const instanceType of instanceTypes.split(',')) {
    const machineInfo = cloud.describeInstanceType(instanceType);
    if (machineInfo === undefined) {
      noteSkipped(skipped, ['aws.go:245', 'aws.go:264'], unknownType(instanceType));
      continue;
    }
    if ('error' in machineInfo) {
      const detail = `machine type ${goQuote(instanceType)} is invalid: ${machineInfo.error}`;
      allErrs.push(invalid(instanceTypeFieldPath, instanceTypes, detail, 'aws.go:245'));
      continue;
    }
    if (!machineInfo.architectures.includes(imageArch)) {
      const machineArch = machineInfo.architectures.join(',');
      const detail = `machine type architecture ${goQuote(machineArch)} does not match image architecture ${goQuote(imageArch)}`;
      allErrs.push(invalid(instanceTypeFieldPath, instanceTypes, detail, 'aws.go:264'));
    }
  }
  return allErrs;
}

// kops aws.go:272 awsValidateSpotDurationInMinute
function awsValidateSpotDurationInMinute(fieldPath: FieldPath, s: View): ErrorList {
  const minutes = s.get('spotDurationInMinutes').num();
  if (minutes === undefined) return [];
  return isValidValue(fieldPath, String(minutes), SPOT_DURATIONS, 'aws.go:277');
}

// kops aws.go:282 awsValidateInstanceInterruptionBehavior
function awsValidateInstanceInterruptionBehavior(fieldPath: FieldPath, s: View): ErrorList {
  const behavior = s.get('instanceInterruptionBehavior').optStr();
  return isValidValue(fieldPath, behavior, INTERRUPTION_BEHAVIORS, 'aws.go:286');
}

// kops aws.go:292 awsValidateMixedInstancesPolicy (`s` is the group's spec)
function awsValidateMixedInstancesPolicy(
  path: FieldPath,
  spec: View,
  s: View,
  cloud: AwsCloudLookup | undefined,
  skipped: SkippedRule[] | undefined,
): ErrorList {
  const [errs, stop] = awsValidateMixedInstanceTypes(path, spec, s, cloud, skipped);
  if (stop) return errs;
  const onDemandBase = spec.get('onDemandBase').num();
  if (onDemandBase !== undefined) {
    const basePath = path.child('onDemandBase');
    if (onDemandBase < 0) errs.push(invalid(basePath, onDemandBase, 'cannot be less than zero', 'aws.go:323'));
    if (onDemandBase > (s.get('maxSize').num() ?? 0))
      errs.push(invalid(basePath, onDemandBase, 'cannot be greater than max size', 'aws.go:326'));
  }
  const aboveBase = spec.get('onDemandAboveBase').num();
  if (aboveBase !== undefined) {
    const abovePath = path.child('onDemandAboveBase');
    if (aboveBase < 0) errs.push(invalid(abovePath, aboveBase, 'cannot be less than 0', 'aws.go:332'));
    if (aboveBase > 100) errs.push(invalid(abovePath, aboveBase, 'cannot be greater than 100', 'aws.go:335'));
  }
  const strategy = spec.get('spotAllocationStrategy').optStr();
  append(errs, isValidValue(path.child('spotAllocationStrategy'), strategy, SPOT_ALLOCATION_STRATEGIES, 'aws.go:339'));
  return errs;
}

/**
 * aws.go:295-319: each instance type against the image, and GPU types not mixed with others.
 * `true`: kops returns early here (a machine type EC2 refuses). Without the cloud, or without
 * its answer for a machine type, the checks needing it are skipped and noted in `skipped`.
 */
function awsValidateMixedInstanceTypes(
  path: FieldPath,
  spec: View,
  s: View,
  cloud: AwsCloudLookup | undefined,
  skipped: SkippedRule[] | undefined,
): [ErrorList, boolean] {
  const errs: ErrorList = [];
  const instances = spec.get('instances').strings();
  if (cloud === undefined) {
    noteSkipped(skipped, ['aws.go:297', ...(instances.length > 0 ? ['aws.go:311', 'aws.go:315'] : [])], NO_CLOUD);
    return [errs, false];
  }
  const machineType = s.get('machineType').str();
  const invalidMachineType = () =>
    invalid(
      FieldPath.of('spec', 'machineType'),
      machineType,
      `machine type specified is invalid: ${goQuote(machineType)}`,
      'aws.go:297',
    );
  const main = cloud.describeInstanceType(machineType);
  if (main === undefined) noteSkipped(skipped, ['aws.go:297'], unknownType(machineType));
  else if ('error' in main) return [[invalidMachineType()], true];
  const image = s.get('image').str();
  for (const [i, instanceTypes] of instances.entries()) {
    const fld = path.child('instances').index(i);
    append(errs, awsValidateInstanceTypeAndImage(fld, path.child('image'), instanceTypes, image, cloud, skipped));
    for (const instanceType of instanceTypes.split(',')) {
      const info = cloud.describeInstanceType(instanceType);
      if (info === undefined) noteSkipped(skipped, ['aws.go:311', 'aws.go:315'], unknownType(instanceType));
      else if ('error' in info) {
        errs.push({ ...invalidMachineType(), rule: 'aws.go:311' });
        return [errs, true];
      }
      if (main === undefined || 'error' in main || info === undefined) continue;
      const unknown = [main.gpu === undefined ? machineType : '', info.gpu === undefined ? instanceType : ''];
      for (const type of unknown) if (type !== '') noteSkipped(skipped, ['aws.go:315'], unknownGpu(type));
      if (main.gpu !== undefined && info.gpu !== undefined && info.gpu !== main.gpu) {
        const detail = 'Cannot mix GPU and non-GPU machine types in the same Instance Group';
        errs.push(forbidden(fld, detail, 'aws.go:315'));
      }
    }
  }
  return [errs, false];
}
