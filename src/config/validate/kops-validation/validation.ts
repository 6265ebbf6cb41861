// kops pkg/apis/kops/validation/validation.go (@268927e, Apache-2.0, Copyright The Kubernetes
// Authors): `newValidateCluster` and `validateClusterSpec` with the cloud provider rules, lines
// 51-488. The rest of validation.go is in validation-*.ts, in Go's order. Not ported here:
// validation.go:52 `ValidateObjectMeta` (apimachinery; src/store/names.ts checks the name), and
// aws.go's awsValidateCluster (aws.ts), gce.go's and linode.go's (gce.ts, linode.ts): newValidateCluster calls them at 75-79.
// Rules (error constructors and IsValidValue calls) in this file and validation-cloud.ts: 40 of
// the 40 in validation.go:51-488.
import { append, forbidden, invalid, required, type ErrorList } from '../field/errors.js';
import { awsValidateCluster } from './aws.js';
import { FieldPath } from '../field/path.js';
import { getCloudProvider, isCertManagerEnabled, isValidValue, usesNoneDNS } from './helpers.js';
import type { View } from './spec.js';
import { validateCIDR } from './validation-cidr.js';
import { gceValidateCluster } from './gce.js';
import { linodeValidateCluster } from './linode.js';
import {
  validateFileAssetSpec,
  validateFileRepository,
  validateHookSpec,
  validateKubeAPIServer,
  validateKubeControllerManager,
  validateKubelet,
  validateKubeProxy,
  validateKubeScheduler,
} from './validation-components.js';
import { validateNetworking } from './validation-networking.js';
import { validateCloudProvider, validateSAExternalPermissions } from './validation-cloud.js';
import {
  validateAdditionalPolicy,
  validateAzureBlobAccountUniformity,
  validateEtcdBackupStore,
  validateEtcdClusterSpec,
  validateEtcdStorage,
  validateExternalPolicies,
} from './validation-etcd.js';
import {
  validateCertManager,
  validateCloudConfiguration,
  validateClusterAutoscaler,
  validateContainerdConfig,
  validateContainerRuntime,
  validateExternalDNS,
  validateMetricsServer,
  validateRollingUpdate,
  validateSnapshotController,
} from './validation-addons.js';

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// kops validation.go:51 newValidateCluster (`c` is the internal view, spec.ts internalCluster)
export function newValidateCluster(c: View, strict: boolean): ErrorList {
  const allErrs: ErrorList = [];
  const clusterName = c.get('metadata', 'name').str();
  const namePath = FieldPath.of('objectMeta', 'name');
  if (clusterName === '') {
    allErrs.push(required(namePath, 'Cluster Name is required (e.g. --name=mycluster.myzone.com)', 'validation.go:56'));
  } else {
    const errs = isDNS1123Subdomain(clusterName);
    if (errs.length !== 0) {
      const detail = `Cluster Name must be a valid DNS name (e.g. --name=mycluster.myzone.com) errors: ${errs.join(', ')}`;
      allErrs.push(invalid(namePath, clusterName, detail, 'validation.go:61'));
    } else if (!clusterName.includes('.') && !usesNoneDNS(c)) {
      // Tolerate if this is a cluster we are importing for upgrade
      if (c.get('metadata', 'annotations', 'kops.kubernetes.io/management').str() !== 'imported') {
        const detail = 'Cluster Name must be a fully-qualified DNS name (e.g. --name=mycluster.myzone.com)';
        allErrs.push(invalid(namePath, clusterName, detail, 'validation.go:65'));
      }
    }
  }
  append(allErrs, validateClusterSpec(c.get('spec'), c, FieldPath.of('spec'), strict));
  // validation.go:73-80: the cloud's own rules.
  if (getCloudProvider(c) === 'aws') append(allErrs, awsValidateCluster(c, strict)); // validation.go:75
  if (getCloudProvider(c) === 'gce') append(allErrs, gceValidateCluster(c)); // validation.go:77
  if (getCloudProvider(c) === 'linode') append(allErrs, linodeValidateCluster(c)); // validation.go:79
  return allErrs;
}

/** apimachinery `IsDNS1123Subdomain`'s messages. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS_NAME.test(value))
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  return errs;
}

// kops validation.go:85 validateClusterSpec
export function validateClusterSpec(spec: View, c: View, fieldPath: FieldPath, strict: boolean): ErrorList {
  const [allErrs, providerConstraints] = validateCloudProvider(
    c,
    spec.get('cloudProvider'),
    fieldPath.child('cloudProvider'),
  );
  append(allErrs, validateAccessAndHooks(spec, c, fieldPath));
  append(allErrs, validateComponents(spec, c, fieldPath, strict));
  append(
    allErrs,
    validateNetworking(c, spec.get('networking'), fieldPath.child('networking'), strict, providerConstraints),
  );
  append(allErrs, validateAddonsAndPolicies(spec, c, fieldPath));
  append(allErrs, validateEtcdAndRuntime(spec, c, fieldPath));
  append(allErrs, validateLoadBalancerAndIAM(spec, c, fieldPath));
  return allErrs;
}

// validation.go:88-135: gossip, SSH / API / NodePort access, update policy, hooks.
function validateAccessAndHooks(spec: View, c: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  // Gossip DNS support was removed in kOps 1.37
  const gossip = 'gossip DNS support was removed in kOps 1.37; remove this field from the cluster spec';
  if (spec.get('gossipConfig').present)
    allErrs.push(forbidden(fieldPath.child('gossipConfig'), gossip, 'validation.go:90'));
  if (spec.get('dnsControllerGossipConfig').present)
    allErrs.push(forbidden(fieldPath.child('dnsControllerGossipConfig'), gossip, 'validation.go:93'));
  const lists: [View, string, string][] = [
    [spec.get('sshAccess'), 'sshAccess', 'validation.go:100'],
    [spec.get('api', 'access'), 'kubernetesAPIAccess', 'validation.go:111'],
    [spec.get('nodePortAccess'), 'nodePortAccess', 'validation.go:122'],
  ];
  for (const [list, name, rule] of lists) {
    list.strings().forEach((cidr, i) => {
      const path = fieldPath.child(name).index(i);
      if (cidr.startsWith('pl-')) {
        if (getCloudProvider(c) !== 'aws')
          allErrs.push(invalid(path, cidr, 'Prefix List ID only supported for AWS', rule));
      } else {
        append(allErrs, validateCIDR(path, cidr));
      }
    });
  }
  append(
    allErrs,
    isValidValue(
      fieldPath.child('updatePolicy'),
      spec.get('updatePolicy').optStr(),
      ['automatic', 'external'],
      'validation.go:130',
    ),
  );
  spec
    .get('hooks')
    .list()
    .forEach((hook, i) => append(allErrs, validateHookSpec(hook, fieldPath.child('hooks').index(i))));
  spec
    .get('fileAssets')
    .list()
    .forEach((asset, i) => append(allErrs, validateFileAssetSpec(asset, fieldPath.child('fileAssets').index(i))));
  return allErrs;
}

// validation.go:143-165: the Kubernetes components.
function validateComponents(spec: View, c: View, fieldPath: FieldPath, strict: boolean): ErrorList {
  const allErrs: ErrorList = [];
  if (spec.get('kubeAPIServer').present)
    append(allErrs, validateKubeAPIServer(spec.get('kubeAPIServer'), c, fieldPath.child('kubeAPIServer'), strict));
  if (spec.get('kubeControllerManager').present)
    append(
      allErrs,
      validateKubeControllerManager(spec.get('kubeControllerManager'), fieldPath.child('kubeControllerManager')),
    );
  if (spec.get('kubeScheduler').present)
    append(allErrs, validateKubeScheduler(spec.get('kubeScheduler'), fieldPath.child('kubeScheduler')));
  if (spec.get('kubeProxy').present)
    append(allErrs, validateKubeProxy(spec.get('kubeProxy'), fieldPath.child('kubeProxy')));
  if (spec.get('kubelet').present) append(allErrs, validateKubelet(spec.get('kubelet'), fieldPath.child('kubelet')));
  if (spec.get('controlPlaneKubelet').present)
    append(allErrs, validateKubelet(spec.get('controlPlaneKubelet'), fieldPath.child('controlPlaneKubelet')));
  return allErrs;
}

// validation.go:169-205: node authorization, add-ons, custom add-ons, IAM policies.
function validateAddonsAndPolicies(spec: View, c: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (spec.get('nodeAuthorization').present) {
    const detail =
      'NodeAuthorization must be empty. The functionality has been reimplemented and is enabled on kubernetes >= 1.19.0.';
    allErrs.push(forbidden(fieldPath.child('nodeAuthorization'), detail, 'validation.go:170'));
  }
  if (spec.get('clusterAutoscaler').present)
    append(allErrs, validateClusterAutoscaler(c, spec.get('clusterAutoscaler'), fieldPath.child('clusterAutoscaler')));
  if (spec.get('externalDNS').present)
    append(allErrs, validateExternalDNS(c, spec.get('externalDNS'), fieldPath.child('externalDNS')));
  if (spec.get('metricsServer').present)
    append(allErrs, validateMetricsServer(c, spec.get('metricsServer'), fieldPath.child('metricsServer')));
  if (spec.get('snapshotController').present)
    append(
      allErrs,
      validateSnapshotController(c, spec.get('snapshotController'), fieldPath.child('snapshotController')),
    );
  spec
    .get('addons')
    .list()
    .forEach((addon, i) => {
      const manifest = addon.get('manifest').str();
      if (manifest.startsWith('file://'))
        allErrs.push(
          invalid(
            fieldPath.child('addons').index(i).child('manifest'),
            manifest,
            'file:// addon manifests are not supported',
            'validation.go:194',
          ),
        );
    });
  for (const [k, v] of spec.get('additionalPolicies').entries())
    append(allErrs, validateAdditionalPolicy(k, v.str(), fieldPath.child('additionalPolicies')));
  for (const [k, v] of spec.get('externalPolicies').entries())
    append(allErrs, validateExternalPolicies(k, v.strings(), fieldPath.child('externalPolicies')));
  return allErrs;
}

// validation.go:207-249: etcd clusters, Azure blob accounts, container runtime, assets, sysctls.
function validateEtcdAndRuntime(spec: View, c: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const fieldEtcdClusters = fieldPath.child('etcdClusters');
  const etcdClusters = spec.get('etcdClusters').list();
  if (etcdClusters.length === 0) {
    allErrs.push(required(fieldEtcdClusters, '', 'validation.go:212'));
  } else {
    etcdClusters.forEach((etcdCluster, i) =>
      append(allErrs, validateEtcdClusterSpec(etcdCluster, fieldEtcdClusters.index(i))),
    );
    append(allErrs, validateEtcdBackupStore(etcdClusters, fieldEtcdClusters));
    append(allErrs, validateEtcdStorage(etcdClusters, fieldEtcdClusters));
  }
  append(allErrs, validateAzureBlobAccountUniformity(spec, fieldPath));
  const runtime = spec.get('containerRuntime').str();
  if (runtime !== '') append(allErrs, validateContainerRuntime(runtime, fieldPath.child('containerRuntime')));
  if (spec.get('containerd').present)
    append(allErrs, validateContainerdConfig(c, spec.get('containerd'), fieldPath.child('containerd'), true));
  if (spec.get('docker').present) {
    const detail =
      'Docker CRI support was removed in Kubernetes 1.24: https://kubernetes.io/blog/2020/12/02/dockershim-faq';
    allErrs.push(forbidden(fieldPath.child('docker'), detail, 'validation.go:233'));
  }
  const assets = spec.get('assets');
  if (assets.present) {
    if (assets.get('containerProxy').present && assets.get('containerRegistry').present) {
      const detail = 'containerProxy cannot be used in conjunction with containerRegistry';
      allErrs.push(forbidden(fieldPath.child('assets', 'containerProxy'), detail, 'validation.go:238'));
    }
    const fileRepository = assets.get('fileRepository').optStr();
    if (fileRepository !== undefined)
      append(
        allErrs,
        validateFileRepository(fileRepository, fieldPath.child('assets', 'fileRepository'), getCloudProvider(c)),
      );
  }
  spec
    .get('sysctlParameters')
    .strings()
    .forEach((parameter, i) => {
      if (!parameter.includes('='))
        allErrs.push(
          invalid(
            fieldPath.child('sysctlParameters').index(i),
            parameter,
            'must contain a "=" character',
            'validation.go:247',
          ),
        );
    });
  return allErrs;
}

const AWS_ONLY_LB_FIELDS: [string, (lb: View) => boolean, string][] = [
  ['class', (lb) => lb.get('class').str() !== '', 'validation.go:260'],
  ['securityGroupOverride', (lb) => lb.get('securityGroupOverride').present, 'validation.go:263'],
  ['additionalSecurityGroups', (lb) => lb.get('additionalSecurityGroups').present, 'validation.go:266'],
  ['sslCertificate', (lb) => lb.get('sslCertificate').str() !== '', 'validation.go:269'],
  ['sslPolicy', (lb) => lb.get('sslPolicy').present, 'validation.go:272'],
  ['crossZoneLoadBalancing', (lb) => lb.get('crossZoneLoadBalancing').present, 'validation.go:275'],
  ['accessLog', (lb) => lb.get('accessLog').present, 'validation.go:278'],
];

// validation.go:251-320: rolling update, API load balancer, cloud config, IAM, Karpenter, cert-manager.
function validateLoadBalancerAndIAM(spec: View, c: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (spec.get('rollingUpdate').present)
    append(allErrs, validateRollingUpdate(spec.get('rollingUpdate'), fieldPath.child('rollingUpdate'), false));
  const lbSpec = spec.get('api', 'loadBalancer');
  if (lbSpec.present) {
    const lbPath = fieldPath.child('api', 'loadBalancer');
    if (getCloudProvider(c) !== 'aws') {
      for (const [name, isSet, rule] of AWS_ONLY_LB_FIELDS)
        if (isSet(lbSpec)) allErrs.push(forbidden(lbPath.child(name), `${name} is only supported on AWS`, rule));
    }
    if (lbSpec.get('type').str() === 'Internal') {
      const hasPrivate = spec
        .get('networking', 'subnets')
        .list()
        .some((s) => s.get('type').str() === 'Private');
      if (!hasPrivate)
        allErrs.push(
          forbidden(
            lbPath.child('type'),
            'Internal LoadBalancers must have at least one subnet of type Private',
            'validation.go:291',
          ),
        );
    }
  }
  if (spec.get('cloudConfig').present)
    append(allErrs, validateCloudConfiguration(spec.get('cloudConfig'), spec, fieldPath.child('cloudConfig')));
  const iam = spec.get('iam');
  if (iam.present) {
    if (iam.get('legacy').bool() === true)
      allErrs.push(
        forbidden(
          fieldPath.child('iam', 'legacy'),
          'legacy IAM permissions are no longer supported',
          'validation.go:302',
        ),
      );
    const permissions = iam.get('serviceAccountExternalPermissions');
    const permissionsPath = fieldPath.child('iam', 'serviceAccountExternalPermissions');
    if (permissions.length > 0) append(allErrs, validateSAExternalPermissions(permissions.list(), permissionsPath));
  }
  if (spec.get('karpenter', 'enabled').bool() === true) {
    if (iam.get('useServiceAccountExternalPermissions').bool() !== true)
      allErrs.push(
        forbidden(
          fieldPath.child('karpenter', 'enabled'),
          'Karpenter requires that service accounts use external permissions',
          'validation.go:313',
        ),
      );
  }
  if (isCertManagerEnabled(c))
    append(allErrs, validateCertManager(c, spec.get('certManager'), fieldPath.child('certManager')));
  return allErrs;
}
