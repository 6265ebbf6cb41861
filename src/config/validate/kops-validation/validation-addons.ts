// kops validation.go (@268927e) 1898-2210: container runtime, containerd, NRI, Nvidia, gVisor,
// rolling updates, node-local DNS, and the add-ons (autoscaler, external DNS, metrics server,
// node termination handler, AWS load balancer controller, cloud config, warm pool, snapshot
// controller, pod identity webhook, cert-manager).
// Rules (error constructors and IsValidValue calls): 47 of 48 (2004: a constant version range that
// always parses). validateNodeLocalDNS (2065) is ported though no caller in validation.go reaches
// it: legacy.go does, not ported yet.
import { append, forbidden, invalid, type ErrorList } from '../field/errors.js';
import type { FieldPath } from '../field/path.js';
import { parseIP } from './go-net.js';
import {
  compareSemver,
  parseGoDuration,
  parseGoUrl,
  parseSemver,
  parseSemverTolerant,
  scaledIntOrPercent,
  type SemVer,
} from './go-values.js';
import { getCloudProvider, isCertManagerEnabled, isValidValue, usesNoneDNS } from './helpers.js';
import type { View } from './spec.js';

// kops validation.go:1898 validateContainerRuntime
export function validateContainerRuntime(runtime: string, fldPath: FieldPath): ErrorList {
  const allErrs = isValidValue(fldPath, runtime, ['containerd', 'docker'], 'validation.go:1902');
  if (runtime === 'docker') {
    const detail =
      'Docker CRI support was removed in Kubernetes 1.24: https://kubernetes.io/blog/2020/12/02/dockershim-faq';
    allErrs.push(forbidden(fldPath, detail, 'validation.go:1905'));
  }
  return allErrs;
}

const ZERO: SemVer = { major: 0, minor: 0, patch: 0, pre: '' };

// kops validation.go:1911 validateContainerdConfig
export function validateContainerdConfig(
  cluster: View,
  config: View,
  fldPath: FieldPath,
  inClusterConfig: boolean,
): ErrorList {
  const allErrs: ErrorList = [];
  const version = config.get('version').optStr();
  if (version !== undefined) {
    const sv = parseSemverTolerant(version);
    if (typeof sv === 'string')
      allErrs.push(
        invalid(fldPath.child('version'), version, `unable to parse version string: ${sv}`, 'validation.go:1917'),
      );
    if (compareSemver(typeof sv === 'string' ? ZERO : sv, { major: 2, minor: 1, patch: 0, pre: '' }) < 0) {
      const detail = 'unsupported legacy version; containerd 2.1.0 or newer is required';
      allErrs.push(invalid(fldPath.child('version'), version, detail, 'validation.go:1921'));
    }
  }
  if (config.get('nri').present) append(allErrs, validateNriConfig(config, fldPath.child('nri')));
  const packages = config.get('packages');
  if (packages.present) {
    append(
      allErrs,
      validatePackages(
        packages,
        fldPath,
        ['urlAmd64', 'hashAmd64'],
        ['packageUrl', 'packageHash'],
        ['validation.go:1935', 'validation.go:1940', 'validation.go:1944', 'validation.go:1947'],
      ),
    );
    append(
      allErrs,
      validatePackages(
        packages,
        fldPath,
        ['urlArm64', 'hashArm64'],
        ['packageUrlArm64', 'packageHashArm64'],
        ['validation.go:1955', 'validation.go:1960', 'validation.go:1964', 'validation.go:1967'],
      ),
    );
  }
  if (config.get('nvidiaGPU').present)
    append(allErrs, validateNvidiaConfig(cluster, config.get('nvidiaGPU'), fldPath.child('nvidia'), inClusterConfig));
  if (config.get('gvisor').present) append(allErrs, validateGVisorConfig(fldPath.child('gvisor'), inClusterConfig));
  return allErrs;
}

// validation.go:1931-1969: one architecture's package URL and hash (`rules`: the four errors' lines).
function validatePackages(
  packages: View,
  fldPath: FieldPath,
  keys: [url: string, hash: string],
  names: [url: string, hash: string],
  rules: [badUrl: string, longHash: string, noHash: string, noUrl: string],
): ErrorList {
  const url = packages.get(keys[0]).optStr();
  const hash = packages.get(keys[1]).optStr();
  const [urlField, hashField] = names;
  if (url !== undefined && hash !== undefined) {
    const allErrs: ErrorList = [];
    const u = parseGoUrl(url);
    if ('error' in u)
      allErrs.push(invalid(fldPath.child(urlField), url, `cannot parse package URL: ${u.error}`, rules[0]));
    if (hash.length > 64)
      allErrs.push(invalid(fldPath.child(hashField), hash, 'Package hash must be 64 characters long', rules[1]));
    return allErrs;
  }
  // kops reports the hash (absent: null) as the bad value of both messages.
  if (url !== undefined) return [invalid(fldPath.child(urlField), null, 'Package hash must also be set', rules[2])];
  if (hash !== undefined) return [invalid(fldPath.child(hashField), hash, 'Package URL must also be set', rules[3])];
  return [];
}

// kops validation.go:1983 validateNriConfig
export function validateNriConfig(containerd: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const nri = containerd.get('nri');
  if (nri.get('enabled').bool() !== true) return allErrs;
  const timeouts: [string, string][] = [
    ['pluginRequestTimeout', 'validation.go:1990'],
    ['pluginRegistrationTimeout', 'validation.go:1994'],
  ];
  for (const [name, rule] of timeouts) {
    const text = nri.get(name).optStr();
    if (text !== undefined && (parseGoDuration(text) ?? 0) <= 0)
      allErrs.push(invalid(fldPath.child(name), text, 'must be a positive duration', rule));
  }
  // Go dereferences containerd.Version here; kops panics when it is unset. Taken as "".
  const version = containerd.get('version').optStr();
  const v = parseSemver(version ?? '');
  if (typeof v === 'string')
    allErrs.push(
      invalid(fldPath.child('version'), version ?? null, `unable to parse version string: ${v}`, 'validation.go:1999'),
    );
  // validation.go:2004: ">=1.7.0" always parses; that error is unreachable.
  if (compareSemver(typeof v === 'string' ? ZERO : v, { major: 1, minor: 7, patch: 0, pre: '' }) < 0)
    allErrs.push(forbidden(fldPath, 'NRI is available starting from version 1.7.0 and above', 'validation.go:2008'));
  return allErrs;
}

// kops validation.go:2013 validateNvidiaConfig
export function validateNvidiaConfig(
  cluster: View,
  nvidia: View,
  fldPath: FieldPath,
  inClusterConfig: boolean,
): ErrorList {
  const allErrs: ErrorList = [];
  if (nvidia.get('enabled').bool() !== true) return allErrs;
  const cloud = getCloudProvider(cluster);
  if (cloud !== 'aws' && cloud !== 'openstack')
    allErrs.push(forbidden(fldPath, 'Nvidia is only supported on AWS and OpenStack', 'validation.go:2018'));
  if (cloud === 'openstack' && inClusterConfig)
    allErrs.push(
      forbidden(fldPath, 'OpenStack supports nvidia configuration only in instance group', 'validation.go:2021'),
    );
  return allErrs;
}

// kops validation.go:2026 validateGVisorConfig
function validateGVisorConfig(fldPath: FieldPath, inClusterConfig: boolean): ErrorList {
  return inClusterConfig
    ? [forbidden(fldPath, 'gVisor can only be configured on instance groups', 'validation.go:2028')]
    : [];
}

// kops validation.go:2033 validateRollingUpdate
export function validateRollingUpdate(
  rollingUpdate: View,
  fldpath: FieldPath,
  onControlPlaneInstanceGroup: boolean,
): ErrorList {
  const allErrs: ErrorList = [];
  let unavailable = 1;
  const maxUnavailable = rollingUpdate.get('maxUnavailable');
  if (maxUnavailable.present) {
    const scaled = scaledIntOrPercent(maxUnavailable.value, 1, false);
    if (typeof scaled !== 'number') {
      unavailable = 0;
      allErrs.push(
        invalid(
          fldpath.child('maxUnavailable'),
          maxUnavailable.value,
          `Unable to parse: ${scaled.error}`,
          'validation.go:2040',
        ),
      );
    } else unavailable = scaled;
    if (unavailable < 0)
      allErrs.push(
        invalid(fldpath.child('maxUnavailable'), maxUnavailable.value, 'Cannot be negative', 'validation.go:2044'),
      );
  }
  const maxSurge = rollingUpdate.get('maxSurge');
  if (maxSurge.present) {
    const scaled = scaledIntOrPercent(maxSurge.value, 1000, true);
    const surge = typeof scaled === 'number' ? scaled : 0;
    if (typeof scaled !== 'number')
      allErrs.push(
        invalid(fldpath.child('maxSurge'), maxSurge.value, `Unable to parse: ${scaled.error}`, 'validation.go:2050'),
      );
    if (onControlPlaneInstanceGroup && surge !== 0)
      allErrs.push(
        forbidden(
          fldpath.child('maxSurge'),
          'Cannot surge instance groups with role "ControlPlane"',
          'validation.go:2054',
        ),
      );
    else if (surge < 0)
      allErrs.push(invalid(fldpath.child('maxSurge'), maxSurge.value, 'Cannot be negative', 'validation.go:2056'));
    if (unavailable === 0 && surge === 0)
      allErrs.push(
        forbidden(fldpath.child('maxSurge'), 'Cannot be zero if maxUnavailable is zero', 'validation.go:2059'),
      );
  }
  return allErrs;
}

// kops validation.go:2065 validateNodeLocalDNS (`spec` is the cluster's spec)
export function validateNodeLocalDNS(spec: View, fldpath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const localIP = spec.get('kubeDNS', 'nodeLocalDNS', 'localIP').str();
  if (localIP !== '' && parseIP(localIP) === undefined) {
    const detail = 'Cluster had an invalid kubeDNS.nodeLocalDNS.localIP';
    allErrs.push(invalid(fldpath.child('kubeDNS', 'nodeLocalDNS', 'localIP'), localIP, detail, 'validation.go:2072'));
  }
  if (spec.get('kubeProxy', 'proxyMode').str() === 'ipvs' || spec.get('networking', 'cilium').present) {
    const kubeletDNS = spec.get('kubelet', 'clusterDNS').str();
    if (kubeletDNS !== '' && kubeletDNS !== localIP) {
      const detail = 'Kubelet ClusterDNS must be set to the default IP address for LocalIP';
      allErrs.push(forbidden(fldpath.child('kubelet', 'clusterDNS'), detail, 'validation.go:2078'));
    }
    const controlPlaneDNS = spec.get('controlPlaneKubelet', 'clusterDNS').str();
    if (controlPlaneDNS !== '' && controlPlaneDNS !== localIP) {
      const detail = 'ControlPlaneKubelet ClusterDNS must be set to the default IP address for LocalIP';
      allErrs.push(forbidden(fldpath.child('kubelet', 'clusterDNS'), detail, 'validation.go:2082'));
    }
  }
  return allErrs;
}

// kops validation.go:2089 validateClusterAutoscaler
export function validateClusterAutoscaler(cluster: View, spec: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const expander = spec.get('expander').str();
  const expanders = ['least-waste', 'random', 'most-pods', 'price', 'priority'];
  if (expander !== '')
    append(allErrs, isValidValue(fldPath.child('expander'), expander, expanders, 'validation.go:2091'));
  if (expander === 'price' && !cluster.get('spec', 'cloudProvider', 'gce').present)
    allErrs.push(
      forbidden(
        fldPath.child('expander'),
        'Cluster autoscaler price expander is only supported on GCE',
        'validation.go:2095',
      ),
    );
  if (getCloudProvider(cluster) === 'openstack')
    allErrs.push(forbidden(fldPath, 'Cluster autoscaler is not supported on OpenStack', 'validation.go:2099'));
  return allErrs;
}

// kops validation.go:2105 validateExternalDNS
export function validateExternalDNS(cluster: View, spec: View, fldPath: FieldPath): ErrorList {
  const provider = spec.get('provider').str();
  const allErrs = isValidValue(
    fldPath.child('provider'),
    provider,
    ['', 'dns-controller', 'external-dns', 'none'],
    'validation.go:2106',
  );
  const watch = spec.get('watchNamespace').str();
  if (watch !== '' && watch !== 'kube-system') {
    const detail = 'externalDNS must watch either all namespaces or only kube-system';
    allErrs.push(forbidden(fldPath.child('watchNamespace'), detail, 'validation.go:2110'));
  }
  if (provider === 'external-dns' && usesNoneDNS(cluster))
    allErrs.push(
      forbidden(
        fldPath.child('provider'),
        'external-dns requires public or private DNS topology',
        'validation.go:2116',
      ),
    );
  return allErrs;
}

// kops validation.go:2123 validateMetricsServer
export function validateMetricsServer(cluster: View, spec: View, fldPath: FieldPath): ErrorList {
  if (spec.get('enabled').bool() !== true || spec.get('insecure').bool() === true || isCertManagerEnabled(cluster))
    return [];
  return [
    forbidden(
      fldPath.child('insecure'),
      'Secure metrics server requires that cert manager is enabled',
      'validation.go:2126',
    ),
  ];
}

// kops validation.go:2133 validateNodeTerminationHandler
export function validateNodeTerminationHandler(cluster: View, spec: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const enabled = spec.get('enabled').bool();
  if (enabled !== false && cluster.get('spec', 'karpenter', 'enabled').bool() === true)
    allErrs.push(
      forbidden(fldPath, 'nodeTerminationHandler cannot be used in conjunction with Karpenter', 'validation.go:2135'),
    );
  // kops componentconfig.go IsQueueMode
  const queueMode = enabled === true && spec.get('enableSQSTerminationDraining').bool() !== false;
  if (queueMode) {
    if (spec.get('enableSpotInterruptionDraining').bool() === false) {
      const detail = 'spot interruption draining cannot be disabled in Queue Processor mode';
      allErrs.push(forbidden(fldPath.child('enableSpotInterruptionDraining'), detail, 'validation.go:2139'));
    }
    if (spec.get('enableRebalanceDraining').bool() !== true && spec.get('enableRebalanceMonitoring').bool() === true) {
      const detail = 'rebalance events can only drain in Queue Processor mode';
      allErrs.push(forbidden(fldPath.child('enableRebalanceMonitoring'), detail, 'validation.go:2142'));
    }
  }
  return allErrs;
}

// kops validation.go:2148 validateAWSLoadBalancerController
export function validateAWSLoadBalancerController(cluster: View, spec: View, fldPath: FieldPath): ErrorList {
  if (spec.get('enabled').bool() !== true || isCertManagerEnabled(cluster)) return [];
  return [
    forbidden(fldPath, 'AWS Load Balancer Controller requires that cert manager is enabled', 'validation.go:2151'),
  ];
}

// kops validation.go:2157 validateCloudConfiguration (`spec` is the cluster's spec)
export function validateCloudConfiguration(cloudConfig: View, spec: View, fldPath: FieldPath): ErrorList {
  const manage = cloudConfig.get('manageStorageClasses').bool();
  const create = spec.get('cloudProvider', 'openstack', 'blockStorage', 'createStorageClass').bool();
  if (manage === undefined || create === undefined || manage === create) return [];
  const detail = 'Management of storage classes and OpenStack block storage classes are both specified but disagree';
  return [forbidden(fldPath.child('manageStorageClasses'), detail, 'validation.go:2161')];
}

// kops validation.go:2168 validateWarmPool
export function validateWarmPool(warmPool: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const maxSize = warmPool.get('maxSize').num();
  const minSize = warmPool.get('minSize').num() ?? 0;
  if (maxSize !== undefined) {
    if (maxSize < 0)
      allErrs.push(
        invalid(fldPath.child('maxSize'), maxSize, 'warm pool maxSize cannot be negative', 'validation.go:2171'),
      );
    else if (minSize > maxSize)
      allErrs.push(
        invalid(
          fldPath.child('maxSize'),
          maxSize,
          'warm pool maxSize cannot be set to lower than minSize',
          'validation.go:2173',
        ),
      );
    else if (warmPool.get('additionalImages').length > 0) {
      const detail = 'warm pool additional images can only be set in the instance group spec';
      allErrs.push(forbidden(fldPath.child('additionalImages'), detail, 'validation.go:2175'));
    }
  }
  if (minSize < 0)
    allErrs.push(
      invalid(fldPath.child('minSize'), minSize, 'warm pool minSize cannot be negative', 'validation.go:2179'),
    );
  return allErrs;
}

// kops validation.go:2184 validateSnapshotController
export function validateSnapshotController(cluster: View, spec: View, fldPath: FieldPath): ErrorList {
  if (spec.get('enabled').bool() !== true || isCertManagerEnabled(cluster)) return [];
  return [
    forbidden(
      fldPath.child('enabled'),
      'Snapshot controller requires that cert manager is enabled',
      'validation.go:2187',
    ),
  ];
}

// kops validation.go:2193 validatePodIdentityWebhook
export function validatePodIdentityWebhook(cluster: View, spec: View, fldPath: FieldPath): ErrorList {
  if (spec.get('enabled').bool() !== true || isCertManagerEnabled(cluster)) return [];
  return [forbidden(fldPath, 'EKS Pod Identity Webhook requires that cert manager is enabled', 'validation.go:2196')];
}

// kops validation.go:2203 validateCertManager
export function validateCertManager(cluster: View, spec: View, fldPath: FieldPath): ErrorList {
  if (spec.get('hostedZoneIDs').length === 0) return [];
  if (cluster.get('spec', 'iam', 'useServiceAccountExternalPermissions').bool() === true) return [];
  const detail =
    'Cert Manager requires that service accounts use external permissions in order to do dns-01 validation';
  return [forbidden(fldPath, detail, 'validation.go:2206')];
}
